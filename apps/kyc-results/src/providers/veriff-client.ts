import { createHmac } from 'node:crypto';
import type { Json } from './payload-fields';
import { ProviderApiError, ProviderHttp, type OutgoingRequest, type ProviderHttpOptions } from './provider-http';

export interface VeriffClientOptions extends ProviderHttpOptions {
  /** The integration's API key (`X-AUTH-CLIENT`). */
  apiKey: string;
  /** The integration's shared secret key: signs each request (`X-HMAC-SIGNATURE`). */
  sharedSecret: string;
}

/**
 * `X-HMAC-SIGNATURE` of a GET: lowercase hex HMAC-SHA256 of the session id (the resource in the path),
 * keyed with the shared secret. Veriff's "HMAC authentication and endpoint security" and the
 * `GET /sessions/{id}/decision` reference (devdocs.veriff.com).
 */
export function veriffSignature(sharedSecret: string, sessionId: string): string {
  return createHmac('sha256', sharedSecret).update(sessionId).digest('hex');
}

const DECISION_PATH = /\/sessions\/([^/?]+)\/decision$/;

/**
 * Veriff's API as the reconciler uses it: `GET /v1/sessions/{id}/decision`, the decision of one
 * session (`verification: null` while there is none). Timeouts, retries, Retry-After and the circuit
 * breaker are ProviderHttp's.
 */
export class VeriffClient {
  readonly provider = 'veriff';
  private readonly http: ProviderHttp;

  constructor(options: VeriffClientOptions) {
    const { apiKey, sharedSecret, ...http } = options;
    this.http = new ProviderHttp(
      {
        provider: 'Veriff',
        headers: (request: OutgoingRequest) => ({
          'x-auth-client': apiKey,
          'x-hmac-signature': veriffSignature(sharedSecret, decodeURIComponent(DECISION_PATH.exec(request.path)?.[1] ?? '')),
          'content-type': 'application/json',
        }),
        error: (message, kind, status) => new ProviderApiError(message, kind, status),
      },
      http,
    );
  }

  decision(sessionId: string): Promise<Json> {
    return this.http.getJson(`/v1/sessions/${encodeURIComponent(sessionId)}/decision`, 'sessions');
  }
}
