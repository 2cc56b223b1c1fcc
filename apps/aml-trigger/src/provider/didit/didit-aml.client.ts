import { ProviderFailure } from '../screening-provider';
import { CircuitOpenError, type CircuitBreaker } from '../circuit-breaker';
import type { DiditAmlRequest, DiditAmlResponse } from './didit-aml.types';

export interface DiditAmlClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  breaker: CircuitBreaker;
  sleep?: (ms: number) => Promise<void>;
  onAttempt?: (outcome: 'ok' | 'retriable' | 'permanent' | 'circuit_open') => void;
}

/** One failed call; `retriable` = the provider's fault (5xx, 429, timeout, network), worth trying again. */
export class DiditCallError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'DiditCallError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with ±20 % jitter, so many screenings retrying together do not stampede. */
export function backoffMs(attempt: number, baseMs: number, maxMs = 30_000): number {
  const raw = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

/**
 * Didit `POST /v3/aml/` with a per-attempt timeout, retries with exponential backoff, and a circuit
 * breaker shared by every call. The same Idempotency-Key goes with every attempt of one screening.
 */
export class DiditAmlClient {
  private readonly url: string;

  constructor(private readonly opts: DiditAmlClientOptions) {
    this.url = `${opts.baseUrl.replace(/\/+$/, '')}/v3/aml/`;
  }

  async screen(body: DiditAmlRequest, idempotencyKey: string): Promise<{ response: DiditAmlResponse; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.opts.breaker.execute(() => this.post(body, idempotencyKey), isProviderFault);
        this.opts.onAttempt?.('ok');
        return { response, attempts: attempt };
      } catch (err) {
        const open = err instanceof CircuitOpenError;
        const retriable = !open && err instanceof DiditCallError && err.retriable;
        this.opts.onAttempt?.(open ? 'circuit_open' : retriable ? 'retriable' : 'permanent');
        if (!retriable || attempt >= this.opts.maxAttempts) {
          const why = retriable ? `gave up after ${attempt} attempts: ${(err as Error).message}` : (err as Error).message;
          throw new ProviderFailure(`Didit AML: ${why}`, attempt);
        }
        await (this.opts.sleep ?? sleep)(backoffMs(attempt, this.opts.retryBaseMs));
      }
    }
  }

  private async post(body: DiditAmlRequest, idempotencyKey: string): Promise<DiditAmlResponse> {
    let text: string;
    let status: number;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': this.opts.apiKey, 'Idempotency-Key': idempotencyKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new DiditCallError(`no answer within ${this.opts.timeoutMs} ms`, true);
      const code = ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message) || 'network error';
      throw new DiditCallError(`request failed (${code})`, true);
    }
    if (status < 200 || status >= 300) {
      throw new DiditCallError(`HTTP ${status}`, status >= 500 || status === 429 || status === 408);
    }
    return parseResponse(text);
  }
}

function parseResponse(text: string): DiditAmlResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DiditCallError('answer is not JSON', true);
  }
  const aml = (parsed as DiditAmlResponse | null)?.aml;
  if (!aml || typeof aml !== 'object' || (aml.hits !== undefined && !Array.isArray(aml.hits))) {
    throw new DiditCallError('answer has no `aml` result', false);
  }
  return parsed as DiditAmlResponse;
}

/** Our own bad requests (4xx) say nothing about the provider's health. */
function isProviderFault(err: unknown): boolean {
  return err instanceof DiditCallError && err.retriable;
}
