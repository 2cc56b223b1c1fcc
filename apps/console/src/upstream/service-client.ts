import { Injectable } from '@nestjs/common';
import { ConsoleConfig } from '../console.config';

export type Upstream = 'webhook-gateway' | 'kyc-results' | 'aml-trigger' | 'retention' | 'audit-log';

/** A service's refusal (4xx/5xx with its `code` and message) or its silence (status 503, code UNAVAILABLE). */
export class UpstreamError extends Error {
  constructor(
    readonly service: Upstream,
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }

  /** What the user reads: which service, its status and code, and its own words. */
  get display(): string {
    return `${this.service} answered ${this.status}${this.code ? ` ${this.code}` : ''}: ${this.message}`;
  }
}

/**
 * A service's refusal as a message for the user's next page (the form is shown again with it); a
 * key the services no longer accept (401) or anything unexpected is rethrown for the error page.
 */
export function refusal(err: unknown): { kind: 'error'; text: string } {
  if (err instanceof UpstreamError && err.status !== 401) return { kind: 'error', text: err.display };
  throw err;
}

export type Query = Record<string, string | number | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  query?: Query;
  body?: unknown;
  timeoutMs?: number;
}

/**
 * The console's only way to the services (backend-for-frontend): their HTTP APIs with the signed-in
 * user's API key, so each service applies that user's role exactly as it would to a direct call.
 */
@Injectable()
export class ServiceClient {
  private readonly bases: Record<Upstream, string>;

  constructor(private readonly config: ConsoleConfig) {
    const trim = (u: string) => u.replace(/\/+$/, '');
    this.bases = {
      'webhook-gateway': trim(config.GATEWAY_URL),
      'kyc-results': trim(config.KYC_RESULTS_URL),
      'aml-trigger': trim(config.AML_TRIGGER_URL),
      retention: trim(config.RETENTION_URL),
      'audit-log': trim(config.AUDIT_LOG_URL),
    };
  }

  /** JSON in and out; throws UpstreamError for any answer but 2xx. */
  async json<T>(service: Upstream, apiKey: string | undefined, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(service, apiKey, path, opts);
    const text = await res.text();
    const body = parse(text);
    if (!res.ok) throw errorOf(service, res.status, body, text);
    return body as T;
  }

  /** A plain-text answer (the gateway's Prometheus metrics). */
  async text(service: Upstream, path: string, opts: RequestOptions = {}): Promise<string> {
    const res = await this.send(service, undefined, path, opts);
    const text = await res.text();
    if (!res.ok) throw errorOf(service, res.status, parse(text), text);
    return text;
  }

  private async send(service: Upstream, apiKey: string | undefined, path: string, opts: RequestOptions): Promise<Response> {
    const url = `${this.bases[service]}${path}${queryString(opts.query)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = opts.timeoutMs ?? this.config.CONSOLE_UPSTREAM_TIMEOUT_MS;
    try {
      return await fetch(url, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'not reachable';
      throw new UpstreamError(service, 503, 'UNAVAILABLE', `the service is ${why}`);
    }
  }
}

function queryString(query: Query | undefined): string {
  const pairs = Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return pairs.length ? `?${new URLSearchParams(pairs.map(([k, v]) => [k, String(v)] as [string, string])).toString()}` : '';
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Nest's error bodies: `{ statusCode, code?, message: string | string[] }` (validation lists its problems). */
function errorOf(service: Upstream, status: number, body: unknown, text: string): UpstreamError {
  const b = (body ?? {}) as { code?: unknown; message?: unknown; error?: unknown };
  const message = Array.isArray(b.message) ? b.message.join('; ') : typeof b.message === 'string' ? b.message : typeof b.error === 'string' ? b.error : text.slice(0, 200) || 'no details';
  return new UpstreamError(service, status, typeof b.code === 'string' ? b.code : undefined, message);
}
