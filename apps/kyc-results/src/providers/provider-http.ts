import { setTimeout as sleep } from 'node:timers/promises';
import { isObject, type Json } from './payload-fields';

/** How a provider API client calls its provider: limits, retries and the circuit breaker. */
export interface ProviderHttpOptions {
  baseUrl: string;
  /** Per request (each attempt). */
  timeoutMs?: number;
  /** Attempts per request on a network error, a timeout, a 5xx or a 429. */
  attempts?: number;
  /** First wait between attempts; doubled each time, with jitter, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A longer Retry-After is not waited for (the caller holds a consumer transaction): the request fails and the event is retried later. */
  maxRetryAfterMs?: number;
  /** Consecutive failed requests that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial request is let through (half-open). */
  coolDownMs?: number;
  /** Requests in flight at once. */
  maxConcurrent?: number;
  /**
   * A rate limit shared with other callers (the reconciler's, across replicas): every attempt waits
   * for a slot, and a 429's Retry-After pauses all of them, not only this caller.
   */
  throttle?: Throttle;
}

/** A rate limit: slot() waits for the next free call; pause() holds every caller back for a while. */
export interface Throttle {
  slot(): Promise<void>;
  pause(ms: number): Promise<void>;
}

export const PROVIDER_HTTP_DEFAULTS: Required<Omit<ProviderHttpOptions, 'baseUrl' | 'throttle'>> = {
  timeoutMs: 3_000,
  attempts: 3,
  backoffMs: 200,
  maxBackoffMs: 2_000,
  maxRetryAfterMs: 2_000,
  failureThreshold: 5,
  coolDownMs: 30_000,
  maxConcurrent: 4,
};

export type CircuitState = 'closed' | 'open' | 'half_open';

/**
 * Why a request failed: the provider could not answer (network, timeout, 5xx, 429, not JSON), it
 * refused (another 4xx: a wrong credential or an unknown id), or the circuit is open.
 */
export type ProviderFailureKind = 'unavailable' | 'refused' | 'circuit_open';

/** One request as sent, for the authentication headers (a signature covers the method, the path with its query, the body). */
export interface OutgoingRequest {
  method: 'GET';
  /** The URL's path and query, as sent (any path of the base URL included). */
  path: string;
  body: string;
}

/** What a provider's client adds to the shared HTTP behaviour. */
export interface ProviderHttpSetup {
  /** Names the provider in error messages (`Onfido GET checks: HTTP 500`). */
  provider: string;
  /** The headers of one attempt (authentication); asked again for every attempt, so a signed timestamp is fresh. */
  headers(request: OutgoingRequest): Record<string, string>;
  /**
   * The provider's error for a failed request. It must stay retryable for the consumer (not a
   * PermanentEventError, not an infrastructure error): the event then goes to the retry topic.
   */
  error(message: string, kind: ProviderFailureKind, status?: number): Error;
}

/** Why one attempt failed, and whether another attempt may succeed. */
type Failure = { reason: string; status?: number; retry: boolean; waitMs?: number };

class RequestFailed extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    readonly error: Error,
  ) {
    super(error.message);
  }
}

/**
 * GETs JSON objects from a provider's API, shared by the provider clients (Onfido, Sumsub). Requests
 * time out, are retried with backoff on network errors, 5xx and 429 (honouring Retry-After), at most
 * `maxConcurrent` are in flight, and a circuit breaker fails fast while the provider is down: it
 * opens after `failureThreshold` consecutive failed requests and lets one trial through after
 * `coolDownMs`. A refusal (4xx) is an answer: it is not retried and does not count towards opening.
 * Error messages name the resource type and the HTTP status, never ids or personal data.
 */
export class ProviderHttp {
  private readonly opts: Required<Omit<ProviderHttpOptions, 'throttle'>> & { throttle?: Throttle };
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly setup: ProviderHttpSetup,
    options: ProviderHttpOptions,
  ) {
    this.opts = { ...PROVIDER_HTTP_DEFAULTS, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  get circuit(): CircuitState {
    if (this.openedAt === null) return 'closed';
    return Date.now() - this.openedAt >= this.opts.coolDownMs ? 'half_open' : 'open';
  }

  /** `GET {baseUrl}{path}`; `resourceType` names what is asked for in error messages (`checks`, `applicants`). */
  async getJson(path: string, resourceType: string): Promise<Json> {
    const what = `${this.setup.provider} GET ${resourceType}`;
    this.admit(what);
    try {
      const body = await this.withSlot(() => this.withRetries(`${this.opts.baseUrl}${path}`, what));
      this.closeCircuit();
      return body;
    } catch (err) {
      if (!(err instanceof RequestFailed)) throw err;
      // A refusal (4xx) is an answer: the provider is up. Only unavailability counts towards opening.
      if (err.kind === 'refused') this.closeCircuit();
      else this.recordFailure();
      throw err.error;
    }
  }

  /** Fails fast while the circuit is open; half-open lets one trial request through. */
  private admit(what: string): void {
    const state = this.circuit;
    if (state === 'closed') return;
    if (state === 'half_open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return;
    }
    throw this.setup.error(`${what}: circuit open after ${this.failures} consecutive failures`, 'circuit_open');
  }

  private closeCircuit(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  private recordFailure(): void {
    this.failures++;
    if (this.trialInFlight || this.failures >= this.opts.failureThreshold) this.openedAt = Date.now();
    this.trialInFlight = false;
  }

  private async withRetries(url: string, what: string): Promise<Json> {
    let failure: Failure = { reason: 'no attempt', retry: false };
    for (let attempt = 1; attempt <= this.opts.attempts; attempt++) {
      const answer = await this.attempt(url);
      if (!('reason' in answer)) return answer.body;
      failure = answer;
      if (!failure.retry || attempt === this.opts.attempts) break;
      const wait = failure.waitMs ?? this.backoff(attempt);
      if (wait > this.opts.maxRetryAfterMs && failure.waitMs !== undefined) break;
      // With a shared throttle a Retry-After holds back every caller; the next slot() waits for it.
      if (this.opts.throttle && failure.waitMs !== undefined) await this.opts.throttle.pause(wait);
      else await sleep(wait);
    }
    const kind: ProviderFailureKind = failure.retry ? 'unavailable' : 'refused';
    throw new RequestFailed(kind, this.setup.error(`${what}: ${failure.reason}`, kind, failure.status));
  }

  private async attempt(url: string): Promise<{ body: Json } | Failure> {
    await this.opts.throttle?.slot();
    let res: Response;
    try {
      const { pathname, search } = new URL(url);
      const headers = this.setup.headers({ method: 'GET', path: `${pathname}${search}`, body: '' });
      res = await fetch(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(this.opts.timeoutMs) });
    } catch (err) {
      const name = (err as Error).name;
      return { reason: name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : 'request failed (network)', retry: true };
    }
    if (!res.ok) {
      await res.body?.cancel();
      const retry = res.status === 429 || res.status >= 500;
      const waitMs = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
      return { reason: `HTTP ${res.status}`, status: res.status, retry, waitMs };
    }
    try {
      const body: unknown = await res.json();
      if (isObject(body)) return { body };
    } catch {
      // fall through: an answer that is not a JSON object
    }
    return { reason: 'the answer is not a JSON object', retry: true };
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /** At most maxConcurrent requests in flight; a finished request hands its slot to the next waiting one. */
  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.opts.maxConcurrent) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * A provider API's failure, for clients without an error class of their own (Veriff, Persona). The
 * message names the resource type and the HTTP status, never ids or personal data.
 */
export class ProviderApiError extends Error {
  constructor(
    message: string,
    readonly kind: ProviderFailureKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderApiError';
  }
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable (then the backoff applies). */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
