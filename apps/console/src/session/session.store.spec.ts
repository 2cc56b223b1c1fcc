import { loadConfig } from '@compliance/platform';
import { ConsoleConfig } from '../console.config';
import { cookieHeader, readCookies } from './cookies';
import { SESSION_MAX_AGE_MS, SessionStore, tokensMatch } from './session.store';

const config = (env: Record<string, string> = {}) => loadConfig(ConsoleConfig, 'console', { KAFKA_BROKERS: '127.0.0.1:9092', CONSOLE_SESSION_IDLE_MIN: '30', ...env });
const MIN = 60_000;

describe('SessionStore', () => {
  let now = 1_000_000;
  let store: SessionStore;
  beforeEach(() => {
    store = new SessionStore(config());
    store.now = () => now;
  });
  afterEach(() => store.onModuleDestroy());

  it('gives each session a random id and CSRF token, and finds it by its id only', () => {
    const a = store.create('key-a', { name: 'ana', role: 'analyst' });
    const b = store.create('key-b', { name: 'bob', role: 'admin' });
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(a.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.touch(a.id)?.principal).toEqual({ name: 'ana', role: 'analyst' });
    expect(store.touch('made-up')).toBeUndefined();
    expect(store.touch(undefined)).toBeUndefined();
  });

  it('ends a session left idle longer than CONSOLE_SESSION_IDLE_MIN, and keeps one in use', () => {
    const s = store.create('key', { name: 'ana', role: 'analyst' });
    now += 29 * MIN;
    expect(store.touch(s.id)).toBeDefined();
    now += 29 * MIN;
    expect(store.touch(s.id)).toBeDefined();
    // Looking (a live stream's keep-alive) does not count as activity.
    now += 20 * MIN;
    expect(store.peek(s.id)).toBeDefined();
    now += 11 * MIN;
    expect(store.peek(s.id)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it(`ends any session after ${SESSION_MAX_AGE_MS / 3_600_000} h, however active`, () => {
    const s = store.create('key', { name: 'ana', role: 'analyst' });
    for (let t = 0; t < SESSION_MAX_AGE_MS; t += 20 * MIN) {
      now += 20 * MIN;
      expect(store.touch(s.id)).toBeDefined();
    }
    now += MIN;
    expect(store.touch(s.id)).toBeUndefined();
  });

  it('shows a flash message and an unmasked view once', () => {
    const s = store.create('key', { name: 'ana', role: 'analyst' });
    s.flash = { kind: 'success', text: 'done' };
    expect(store.takeFlash(s)).toEqual({ kind: 'success', text: 'done' });
    expect(store.takeFlash(s)).toBeUndefined();
    store.reveal(s, 'verification:1', { fullName: 'Jane' });
    expect(store.takeReveal(s, 'verification:2')).toBeUndefined();
    expect(store.takeReveal(s, 'verification:1')).toEqual({ fullName: 'Jane' });
    expect(store.takeReveal(s, 'verification:1')).toBeUndefined();
    store.reveal(s, 'verification:1', { fullName: 'Jane' });
    now += 5 * MIN;
    expect(store.takeReveal(s, 'verification:1')).toBeUndefined();
  });

  it('destroys a session on sign-out', () => {
    const s = store.create('key', { name: 'ana', role: 'analyst' });
    store.destroy(s.id);
    expect(store.touch(s.id)).toBeUndefined();
  });

  it('compares CSRF tokens whatever their type or length', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abd', 'abc')).toBe(false);
    expect(tokensMatch(undefined, 'abc')).toBe(false);
    expect(tokensMatch(['abc'], 'abc')).toBe(false);
    expect(tokensMatch('a-much-longer-token', 'abc')).toBe(false);
  });
});

describe('session cookies', () => {
  it('are httpOnly, SameSite=Strict, Path=/, Secure and __Host- prefixed behind https only', () => {
    expect(cookieHeader(config(), 'console_session', 'v', 1800)).toBe('console_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=1800');
    expect(cookieHeader(config({ CONSOLE_COOKIE_SECURE: 'true' }), '__Host-console_session', 'v', 60)).toBe('__Host-console_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
  });

  it('are read from the header, the first of a name winning, malformed values skipped', () => {
    expect(readCookies('a=1; console_session=abc%2Fd; a=2; b=%E0%A4%A; =x')).toEqual({ a: '1', console_session: 'abc/d' });
    expect(readCookies(undefined)).toEqual({});
  });
});
