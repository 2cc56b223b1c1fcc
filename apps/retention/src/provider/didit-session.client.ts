export interface ProviderDeletionResult {
  outcome: 'deleted' | 'not_found' | 'failed';
  httpStatus?: number;
  attempts: number;
  error?: string;
}

export interface DiditSessionClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxAttempts: number;
  /** First retry waits this long; each further retry twice as long. */
  retryDelayMs: number;
}

interface Attempt {
  outcome: ProviderDeletionResult['outcome'];
  httpStatus?: number;
  error?: string;
  retryable: boolean;
}

/** The call was cancelled because the service is stopping: nothing is recorded, it is asked again later. */
export class ProviderCallAborted extends Error {}

/**
 * Asks Didit to delete its copy of a session: `DELETE /v3/session/{id}/delete/` with `x-api-key`.
 * 204 = deleted; 404 = unknown or already deleted (Didit answers 404 to a repeat), nothing left
 * there; timeouts, network errors, 408, 429 and 5xx are retried; other answers fail at once.
 */
export class DiditSessionClient {
  constructor(private readonly opts: DiditSessionClientOptions) {}

  async deleteSession(sessionId: string, signal?: AbortSignal): Promise<ProviderDeletionResult> {
    let last: Attempt = { outcome: 'failed', retryable: true };
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      last = await this.attempt(sessionId, signal);
      if (!last.retryable) return { outcome: last.outcome, httpStatus: last.httpStatus, error: last.error, attempts: attempt };
      if (attempt < this.opts.maxAttempts) await pause(this.opts.retryDelayMs * 2 ** (attempt - 1), signal);
    }
    return { outcome: 'failed', httpStatus: last.httpStatus, error: last.error, attempts: this.opts.maxAttempts };
  }

  private async attempt(sessionId: string, signal?: AbortSignal): Promise<Attempt> {
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}/v3/session/${encodeURIComponent(sessionId)}/delete/`;
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    try {
      const res = await fetch(url, {
        method: 'DELETE',
        headers: { 'x-api-key': this.opts.apiKey, accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { outcome: 'deleted', httpStatus: res.status, retryable: false };
      if (res.status === 404) return { outcome: 'not_found', httpStatus: 404, retryable: false };
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      return { outcome: 'failed', httpStatus: res.status, error: `provider answered HTTP ${res.status}`, retryable };
    } catch (err) {
      if (signal?.aborted) throw new ProviderCallAborted('stopping');
      const error = timeout.aborted ? `no answer within ${this.opts.timeoutMs} ms` : `network error: ${(err as Error).message}`;
      return { outcome: 'failed', error, retryable: true };
    }
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new ProviderCallAborted('stopping'));
    }, { once: true });
  });
}
