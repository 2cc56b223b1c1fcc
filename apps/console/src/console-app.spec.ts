import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@compliance/platform';
import { startConsole, type RunningConsole } from './console-app';
import { ConsoleConfig } from './console.config';
import { AlertHub } from './live/alert-hub';
import { SessionStore } from './session/session.store';

/**
 * The console over stand-in services (one HTTP server answering as all five): what a browser gets
 * back, without Kafka (the live feed keeps retrying in the background) or a browser.
 */
const KEYS = { analyst: 'analyst-key', admin: 'admin-key' } as const;
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

interface Call {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

function stubServices(calls: Call[]): Promise<Server> {
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      calls.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      const who = req.headers.authorization === `Bearer ${KEYS.analyst}` ? { name: 'ana', role: 'analyst' } : req.headers.authorization === `Bearer ${KEYS.admin}` ? { name: 'adm', role: 'admin' } : undefined;
      if (!who) return json(res, 401, { statusCode: 401, code: 'UNAUTHENTICATED', message: 'a valid API key is required' });
      const url = new URL(req.url ?? '/', 'http://stub');
      if (url.pathname === '/auth/whoami') return json(res, 200, who);
      if (url.pathname === '/alerts') {
        return json(res, 200, {
          items: [{ id: '0b8f4a52-3f43-4c4e-9d7a-6c1d0e7b9a10', kind: 'aml_match', severity: 'high', status: 'open', subjectRef: HOSTILE, sessionId: 's-1', screeningId: null, summary: HOSTILE, raisedAt: new Date().toISOString(), reviewedBy: null, reviewedAt: null }],
          nextCursor: 'next-page',
          counts: { aml_match: 1, aml_review: 0, aml_screening_failed: 0 },
          total: 1,
        });
      }
      if (url.pathname === '/alerts/with-hits') {
        const hit = (list: string, entityId: string) => ({ list, entityId, entityName: 'Viktor Kovalenko-Drask', matchedName: 'Viktor Kovalenko', schema: 'Person', datasets: [], score: 0.97, breakdown: { name: 1, dob: 0.05, country: 0.02, identifier: false } });
        const details = { hits: [hit('opensanctions', 'fict/0001'), hit('ofac-sdn', 'gone')], listVersions: [{ list: 'opensanctions', contentHash: 'a'.repeat(64), loadedAt: '2026-01-01T00:00:00.000Z', entryCount: 32 }] };
        return json(res, 200, { id: 'with-hits', kind: 'aml_match', severity: 'high', status: 'open', subjectRef: 's-1', screeningId: null, raisedAt: new Date().toISOString(), hitKeys: [], details });
      }
      if (url.pathname === '/lists/opensanctions/entries/fict%2F0001') {
        return json(res, 200, {
          list: 'opensanctions', entityId: 'fict/0001', primaryName: 'Viktor Kovalenko-Drask', aliases: ['Виктор Коваленко-Драск', HOSTILE], names: [], schema: 'Person',
          birthDates: ['1968-04-12'], countries: ['ua'], identifiers: ['ZX4471902'], datasets: ['Fictitious Sanctions Programme'],
          listVersion: { contentHash: 'b'.repeat(64), loadedAt: '2026-02-01T00:00:00.000Z', entryCount: 33 },
        });
      }
      if (url.pathname.startsWith('/lists/')) return json(res, 404, { statusCode: 404, code: 'LIST_ENTRY_NOT_FOUND', message: 'no entry gone in the loaded ofac-sdn list' });
      if (url.pathname.startsWith('/alerts/') && url.pathname.endsWith('/review')) return json(res, 409, { statusCode: 409, code: 'ALERT_ALREADY_REVIEWED', message: 'alert was already reviewed as confirmed' });
      if (url.pathname.startsWith('/alerts/')) return json(res, 404, { statusCode: 404, code: 'ALERT_NOT_FOUND', message: `no alert ${decodeURIComponent(url.pathname.slice(8))}` });
      if (url.pathname === '/legal-holds' && who.role !== 'admin') return json(res, 403, { statusCode: 403, code: 'FORBIDDEN', message: 'role admin or above is required' });
      json(res, 404, { statusCode: 404, message: 'Not Found' });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A browser's part: cookies kept between requests, redirects not followed. */
class Client {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; text: string }> {
    const headers: Record<string, string> = { ...init.headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(`${this.base}${path}`, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (/Max-Age=0/.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** The CSRF token of the last page's forms. */
  static token(page: string): string {
    return /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  }

  async signIn(key: string): Promise<{ status: number; headers: Headers; text: string }> {
    const form = await this.request('/sign-in');
    return this.request('/sign-in', { form: { _csrf: Client.token(form.text), apiKey: key, next: '/alerts' } });
  }
}

describe('console over stand-in services', () => {
  const calls: Call[] = [];
  let services: Server;
  let consoleApp: RunningConsole;

  beforeAll(async () => {
    services = await stubServices(calls);
    const stub = `http://127.0.0.1:${(services.address() as AddressInfo).port}`;
    const config = loadConfig(ConsoleConfig, 'console', {
      KAFKA_BROKERS: '127.0.0.1:9',
      LOG_LEVEL: 'silent',
      GATEWAY_URL: stub,
      KYC_RESULTS_URL: stub,
      AML_TRIGGER_URL: stub,
      RETENTION_URL: stub,
      AUDIT_LOG_URL: stub,
    });
    consoleApp = await startConsole(config, { port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await consoleApp?.close();
    await new Promise((r) => services?.close(r));
  });

  it('sends a visitor without a session to sign in, with security headers on every answer', async () => {
    const res = await new Client(consoleApp.url).request('/sessions/abc');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Fsessions%2Fabc');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect((await new Client(consoleApp.url).request('/health/live')).status).toBe(200);
  });

  it('signs in only with the form’s token and a key the services accept, and never echoes the key', async () => {
    const c = new Client(consoleApp.url);
    expect((await c.request('/sign-in', { form: { apiKey: KEYS.analyst } })).status).toBe(403);
    const wrong = await c.signIn('not-a-key');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That API key is not valid');
    expect(wrong.text).not.toContain('not-a-key');
    const ok = await c.signIn(KEYS.analyst);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/alerts');
    expect(ok.headers.getSetCookie().find((h) => h.startsWith('console_session='))).toMatch(/; Path=\/; HttpOnly; SameSite=Strict; Max-Age=1800$/);
    const page = await c.request('/alerts');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).not.toContain(KEYS.analyst);
    expect(calls.filter((x) => x.url === '/auth/whoami').map((x) => x.authorization)).toContain(`Bearer ${KEYS.analyst}`);
  });

  it('escapes what the services answer: a hostile subject reference or summary stays text', async () => {
    const c = new Client(consoleApp.url);
    await c.signIn(KEYS.analyst);
    const page = await c.request('/alerts?status=open&kind=aml_match');
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page.text).toContain('href="/subjects/%3Cscript%3Ealert');
    expect(page.text).toContain('Next 50 alerts');
    expect(calls.at(-1)).toMatchObject({ url: '/alerts?status=open&kind=aml_match&limit=50', authorization: `Bearer ${KEYS.analyst}` });
  });

  it('shows each hit’s list entry (aliases, birth dates, countries) beside the subject, and says why one cannot be read', async () => {
    const c = new Client(consoleApp.url);
    await c.signIn(KEYS.analyst);
    const page = await c.request('/alerts/with-hits');
    expect(page.status).toBe(200);
    expect(calls.map((x) => x.url)).toEqual(expect.arrayContaining(['/lists/opensanctions/entries/fict%2F0001', '/lists/ofac-sdn/entries/gone']));
    const first = page.text.slice(page.text.indexOf('data-hit="opensanctions/fict/0001"'), page.text.indexOf('data-hit="ofac-sdn/gone"'));
    expect(first).toContain('<span data-entry-aliases>Виктор Коваленко-Драск; &lt;script&gt;');
    expect(first).toContain('<span data-entry-birth-dates>1968-04-12</span>');
    expect(first).toContain('<span data-entry-countries>ua</span>');
    expect(first).toContain('ZX4471902');
    // The entry comes from a newer load than the one screened: the card says so.
    expect(first).toContain('data-entry-newer');
    const second = page.text.slice(page.text.indexOf('data-hit="ofac-sdn/gone"'));
    expect(second).toContain('aml-trigger answered 404 LIST_ENTRY_NOT_FOUND: no entry gone in the loaded ofac-sdn list');
    expect(page.text).not.toContain('<script>alert');
  });

  it('refuses a POST without the session’s CSRF token or from another origin (403)', async () => {
    const c = new Client(consoleApp.url);
    await c.signIn(KEYS.analyst);
    const token = Client.token((await c.request('/alerts')).text);
    const form = { decision: 'confirmed', note: 'x' };
    expect((await c.request('/alerts/a1/review', { form })).status).toBe(403);
    expect((await c.request('/alerts/a1/review', { form: { ...form, _csrf: 'forged' } })).status).toBe(403);
    expect((await c.request('/alerts/a1/review', { form: { ...form, _csrf: token }, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    const sent = await c.request('/alerts/a1/review', { form: { ...form, _csrf: token } });
    expect(sent.status).toBe(303);
    const huge = await c.request('/alerts/a1/review', { form: { ...form, note: 'x'.repeat(40_000), _csrf: token } });
    expect(huge.status).toBe(413);
    expect(huge.text).toContain('The form is too large.');
    expect(calls.at(-1)).toMatchObject({ method: 'POST', url: '/alerts/a1/review', body: JSON.stringify({ decision: 'confirmed', note: 'x' }) });
  });

  it('shows a service’s refusal in its own words: on the next page after a form, as the page for a read', async () => {
    const c = new Client(consoleApp.url);
    await c.signIn(KEYS.analyst);
    const token = Client.token((await c.request('/alerts')).text);
    const sent = await c.request('/alerts/a1/review', { form: { decision: 'confirmed', _csrf: token } });
    expect(sent.headers.get('location')).toBe('/alerts/a1');
    const after = await c.request('/alerts/a1');
    expect(after.status).toBe(404);
    expect(after.text).toContain('aml-trigger answered 404 ALERT_NOT_FOUND: no alert a1');
    // The service is the authority on roles: its refusal is shown on the page the form came from.
    const held = await c.request('/subjects/s-1/legal-holds', { form: { reason: 'case 7', _csrf: token } });
    expect(held.headers.get('location')).toBe('/subjects/s-1');
    expect(calls.at(-1)).toMatchObject({ method: 'POST', url: '/legal-holds', body: JSON.stringify({ subjectRef: 's-1', reason: 'case 7' }) });
    const subjectPage = await c.request('/subjects/s-1');
    expect(subjectPage.text).toContain('retention answered 403 FORBIDDEN: role admin or above is required');
  });

  it('ends the session on sign-out and after the idle time', async () => {
    const c = new Client(consoleApp.url);
    await c.signIn(KEYS.analyst);
    const token = Client.token((await c.request('/alerts')).text);
    const out = await c.request('/sign-out', { form: { _csrf: token } });
    expect(out.headers.get('location')).toBe('/sign-in?signedOut=1');
    expect((await c.request('/alerts')).status).toBe(303);

    const idle = new Client(consoleApp.url);
    await idle.signIn(KEYS.analyst);
    const store = consoleApp.app.get(SessionStore);
    const realNow = store.now;
    store.now = () => realNow() + 31 * 60_000;
    try {
      expect((await idle.request('/alerts')).headers.get('location')).toBe('/sign-in?next=%2Falerts');
    } finally {
      store.now = realNow;
    }
  });

  it('streams live alerts to a signed-in browser only', async () => {
    expect((await new Client(consoleApp.url).request('/events/alerts')).status).toBe(401);
    const c = new Client(consoleApp.url);
    await c.signIn(KEYS.analyst);
    const abort = new AbortController();
    const res = await fetch(`${consoleApp.url}/events/alerts`, { headers: { cookie: `console_session=${c.cookie('console_session')}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    consoleApp.app.get(AlertHub).publish('alert', { alertId: 'a-1', kind: 'aml_match', severity: 'high', raisedAt: '2026-01-01T00:00:00.000Z' });
    let text = '';
    while (!text.includes('event: alert')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('data: {"alertId":"a-1","kind":"aml_match","severity":"high","raisedAt":"2026-01-01T00:00:00.000Z"}');
    // Signing out ends the stream too.
    const token = Client.token((await c.request('/alerts')).text);
    await c.request('/sign-out', { form: { _csrf: token } });
    for (;;) if ((await reader.read()).done) break;
    abort.abort();
  });
});
