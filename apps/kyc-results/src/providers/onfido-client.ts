import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KycResultsConfig } from '../kyc-results.config';
import { isObject, type Json } from './payload-fields';
import type { ProviderApi, ProviderLookup } from './provider-adapter';

export interface OnfidoClientOptions {
  baseUrl: string;
  /** Unset: the client is disabled and lookup() answers undefined (webhooks are read status only). */
  token?: string;
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
}

const DEFAULTS = { timeoutMs: 3_000, attempts: 3, backoffMs: 200, maxBackoffMs: 2_000, maxRetryAfterMs: 2_000, failureThreshold: 5, coolDownMs: 30_000, maxConcurrent: 4 };

/**
 * Onfido's API could not answer. Retryable: WebhookIntake lets it through, so the event goes to the
 * retry topic (never the DLQ at once). The message names the resource type and the HTTP status, never
 * ids or personal data.
 */
export class OnfidoApiError extends Error {
  constructor(
    message: string,
    readonly code: 'ONFIDO_API_UNAVAILABLE' | 'ONFIDO_API_REFUSED' | 'ONFIDO_CIRCUIT_OPEN' = 'ONFIDO_API_UNAVAILABLE',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OnfidoApiError';
  }
}

export type CircuitState = 'closed' | 'open' | 'half_open';

/** Why one attempt failed, and whether another attempt may succeed. */
type Failure = { reason: string; status?: number; retry: boolean; waitMs?: number };

/**
 * Onfido API v3.6 (`Authorization: Token token=…`) as kyc-results uses it: the check or workflow run a
 * webhook names, and its applicant. Requests time out, are retried with backoff on network errors,
 * 5xx and 429 (honouring Retry-After), and a circuit breaker fails fast while Onfido is down: it
 * opens after `failureThreshold` consecutive failed requests and lets one trial through after `coolDownMs`.
 */
@Injectable()
export class OnfidoClient implements ProviderApi {
  readonly provider = 'onfido';
  private readonly opts: Required<Omit<OnfidoClientOptions, 'token'>> & { token?: string };
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(options: OnfidoClientOptions) {
    this.opts = { ...DEFAULTS, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  static fromConfig(config: KycResultsConfig): OnfidoClient {
    return new OnfidoClient({ baseUrl: config.ONFIDO_BASE_URL, token: config.ONFIDO_API_TOKEN });
  }

  get enabled(): boolean {
    return !!this.opts.token;
  }

  get circuit(): CircuitState {
    if (this.openedAt === null) return 'closed';
    return Date.now() - this.openedAt >= this.opts.coolDownMs ? 'half_open' : 'open';
  }

  check(id: string): Promise<Json> {
    return this.get('checks', id);
  }

  workflowRun(id: string): Promise<Json> {
    return this.get('workflow_runs', id);
  }

  applicant(id: string): Promise<Json> {
    return this.get('applicants', id);
  }

  /** `{check | workflow_run, applicant}` for OnfidoAdapter; undefined without a token. */
  async lookup({ resource, id }: ProviderLookup): Promise<Json | undefined> {
    if (!this.enabled) return undefined;
    if (resource !== 'check' && resource !== 'workflow_run') throw new Error(`Onfido lookup of an unknown resource ${resource}`);
    const run = resource === 'check' ? await this.check(id) : await this.workflowRun(id);
    const applicantId = typeof run.applicant_id === 'string' && run.applicant_id ? run.applicant_id : undefined;
    return applicantId ? { [resource]: run, applicant: await this.applicant(applicantId) } : { [resource]: run };
  }

  private async get(collection: string, id: string): Promise<Json> {
    this.admit(collection);
    try {
      const body = await this.withSlot(() => this.withRetries(collection, id));
      this.closeCircuit();
      return body;
    } catch (err) {
      // A refusal (4xx) is an answer: Onfido is up. Only unavailability counts towards opening.
      if (err instanceof OnfidoApiError && err.code === 'ONFIDO_API_REFUSED') this.closeCircuit();
      else this.recordFailure();
      throw err;
    }
  }

  /** Fails fast while the circuit is open; half-open lets one trial request through. */
  private admit(collection: string): void {
    const state = this.circuit;
    if (state === 'closed') return;
    if (state === 'half_open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return;
    }
    throw new OnfidoApiError(`Onfido GET ${collection}: circuit open after ${this.failures} consecutive failures`, 'ONFIDO_CIRCUIT_OPEN');
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

  private async withRetries(collection: string, id: string): Promise<Json> {
    let failure: Failure = { reason: 'no attempt', retry: false };
    for (let attempt = 1; attempt <= this.opts.attempts; attempt++) {
      const answer = await this.attempt(collection, id);
      if (!('reason' in answer)) return answer.body;
      failure = answer;
      if (!failure.retry || attempt === this.opts.attempts) break;
      const wait = failure.waitMs ?? this.backoff(attempt);
      if (wait > this.opts.maxRetryAfterMs && failure.waitMs !== undefined) break;
      await sleep(wait);
    }
    const code = failure.retry ? 'ONFIDO_API_UNAVAILABLE' : 'ONFIDO_API_REFUSED';
    throw new OnfidoApiError(`Onfido GET ${collection}: ${failure.reason}`, code, failure.status);
  }

  private async attempt(collection: string, id: string): Promise<{ body: Json } | Failure> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.baseUrl}/v3.6/${collection}/${encodeURIComponent(id)}`, {
        headers: { authorization: `Token token=${this.opts.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
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

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable (then the backoff applies). */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
