import { setTimeout as sleep } from 'node:timers/promises';
import type { Throttle } from '../providers/provider-http';

/** A session as Didit's list endpoint shows it (the fields the reconciler reads). */
export interface DiditListedSession {
  session_id: string;
  status?: string;
  vendor_data?: string | null;
  created_at?: string;
}

/** What a call to the provider's API came to. */
export type ApiAnswer<T> = { kind: 'ok'; body: T } | { kind: 'not_found' } | { kind: 'failed'; reason: string };

export interface DiditApiOptions {
  baseUrl: string;
  apiKey: string;
  /** The rate limit every call waits for (shared by the replicas; Didit allows 100 decision reads a minute). */
  throttle: Throttle;
  timeoutMs?: number;
  /** Attempts per call on a network error, a 5xx or a 429 (honouring Retry-After). */
  attempts?: number;
}

/**
 * Didit's session API (`x-api-key`), as the reconciler uses it: one session's decision
 * (`GET /v3/session/{id}/decision/`) and the most recent sessions (`GET /v3/sessions`). Every attempt
 * waits for a slot of the rate limit; a 429's Retry-After holds back every caller of the limit.
 */
export class DiditApiClient {
  constructor(private readonly opts: DiditApiOptions) {}

  decision(sessionId: string): Promise<ApiAnswer<Record<string, unknown>>> {
    return this.get(`/v3/session/${encodeURIComponent(sessionId)}/decision/`);
  }

  /** The first page of sessions, newest first. */
  async recentSessions(): Promise<ApiAnswer<DiditListedSession[]>> {
    const answer = await this.get<{ results?: unknown }>('/v3/sessions');
    if (answer.kind !== 'ok') return answer;
    const results = Array.isArray(answer.body.results) ? answer.body.results : [];
    return { kind: 'ok', body: results.filter((r): r is DiditListedSession => typeof r === 'object' && r !== null && typeof (r as DiditListedSession).session_id === 'string') };
  }

  private async get<T>(path: string): Promise<ApiAnswer<T>> {
    const attempts = this.opts.attempts ?? 3;
    let reason = 'no attempt';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.opts.throttle.slot();
      let res: Response;
      try {
        res = await fetch(new URL(path, this.opts.baseUrl), {
          headers: { 'x-api-key': this.opts.apiKey, accept: 'application/json' },
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
      } catch (err) {
        reason = `request failed: ${(err as Error).name}`;
        await sleep(backoffMs(attempt));
        continue;
      }
      if (res.status === 404) {
        await res.body?.cancel();
        return { kind: 'not_found' };
      }
      if (res.ok) {
        try {
          return { kind: 'ok', body: (await res.json()) as T };
        } catch {
          return { kind: 'failed', reason: 'the answer is not JSON' };
        }
      }
      await res.body?.cancel();
      reason = `HTTP ${res.status}`;
      if (res.status !== 429 && res.status < 500) return { kind: 'failed', reason };
      if (res.status === 429) await this.opts.throttle.pause(retryAfterMs(res.headers.get('retry-after')));
      else await sleep(backoffMs(attempt));
    }
    return { kind: 'failed', reason };
  }
}

const backoffMs = (attempt: number): number => Math.min(5_000, 200 * 2 ** (attempt - 1));

/** Retry-After in seconds or as an HTTP date; at most a minute, at least a second. */
export function retryAfterMs(value: string | null, now = Date.now()): number {
  if (value && /^\d+$/.test(value.trim())) return Math.min(60_000, Math.max(1_000, Number(value.trim()) * 1000));
  const at = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? 1_000 : Math.min(60_000, Math.max(1_000, at - now));
}
