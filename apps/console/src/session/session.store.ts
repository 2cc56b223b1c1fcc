import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Principal } from '@compliance/platform';
import { ConsoleConfig } from '../console.config';

/** A message for the next page the user sees (POST → redirect → GET). */
export interface Flash {
  kind: 'success' | 'error';
  text: string;
}

/** Personal data the user asked to see unmasked, shown on the next view of that page only. */
export interface Reveal {
  key: string;
  data: unknown;
  expiresAt: number;
}

export interface ConsoleSession {
  readonly id: string;
  /** Put in every form as a hidden field and checked on every POST. */
  readonly csrf: string;
  /** The user's API key: used towards the services, never sent back to the browser. */
  readonly apiKey: string;
  readonly principal: Principal;
  readonly createdAt: number;
  lastSeen: number;
  flash?: Flash;
  reveal?: Reveal;
  /** Erasure requests made through this session, listed on their subject's page. */
  erasureRequests: Array<{ id: string; subjectRef: string }>;
}

/** However active, a session ends after this long. */
export const SESSION_MAX_AGE_MS = 12 * 3_600_000;
/** An unmasked view is kept for the redirect that follows the request, not longer. */
export const REVEAL_TTL_MS = 120_000;

const digest = (id: string): string => createHash('sha256').update(id).digest('base64url');

/**
 * Sessions in memory: a restart signs everyone out, which is the safe failure for a console that
 * holds API keys. Kept by the digest of their id, so the map holds no usable cookie value.
 */
@Injectable()
export class SessionStore implements OnModuleDestroy {
  private readonly sessions = new Map<string, ConsoleSession>();
  private readonly endListeners: Array<(id: string) => void> = [];
  private readonly sweeper: NodeJS.Timeout;
  /** The clock (tests move it). */
  now: () => number = Date.now;

  constructor(private readonly config: ConsoleConfig) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  create(apiKey: string, principal: Principal): ConsoleSession {
    const at = this.now();
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      apiKey,
      principal: { name: principal.name, role: principal.role },
      createdAt: at,
      lastSeen: at,
      erasureRequests: [],
    };
    this.sessions.set(digest(session.id), session);
    return session;
  }

  /** The session for a cookie value, its idle clock restarted; undefined when unknown or expired. */
  touch(id: string | undefined): ConsoleSession | undefined {
    const session = this.peek(id);
    if (session) session.lastSeen = this.now();
    return session;
  }

  /** The session without counting as activity (a live feed connection is not the user at work). */
  peek(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const key = digest(id);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    if (this.expired(session)) {
      this.end(key, session);
      return undefined;
    }
    return session;
  }

  destroy(id: string | undefined): void {
    const session = id ? this.sessions.get(digest(id)) : undefined;
    if (session) this.end(digest(session.id), session);
  }

  /** Called with a session's id when it ends (signed out or expired): its live streams close with it. */
  onEnd(listener: (id: string) => void): void {
    this.endListeners.push(listener);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** One-shot: the message is gone once read. */
  takeFlash(session: ConsoleSession): Flash | undefined {
    const flash = session.flash;
    session.flash = undefined;
    return flash;
  }

  /** One-shot as well: an unmasked view is shown once, then the page is masked again. */
  takeReveal(session: ConsoleSession, key: string): unknown {
    const reveal = session.reveal;
    if (!reveal || reveal.key !== key) return undefined;
    session.reveal = undefined;
    return reveal.expiresAt > this.now() ? reveal.data : undefined;
  }

  reveal(session: ConsoleSession, key: string, data: unknown): void {
    session.reveal = { key, data, expiresAt: this.now() + REVEAL_TTL_MS };
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private expired(s: ConsoleSession): boolean {
    const at = this.now();
    return at - s.lastSeen > this.config.sessionIdleMs || at - s.createdAt > SESSION_MAX_AGE_MS;
  }

  private sweep(): void {
    for (const [key, s] of this.sessions) if (this.expired(s)) this.end(key, s);
  }

  private end(key: string, session: ConsoleSession): void {
    this.sessions.delete(key);
    for (const listener of this.endListeners) listener(session.id);
  }
}

/** Constant-time comparison of a submitted token with the expected one. */
export function tokensMatch(submitted: unknown, expected: string): boolean {
  if (typeof submitted !== 'string') return false;
  const a = createHash('sha256').update(submitted).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
