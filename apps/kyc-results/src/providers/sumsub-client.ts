import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { KycResultsConfig } from '../kyc-results.config';
import type { Json } from './payload-fields';
import type { ProviderApi, ProviderLookup } from './provider-adapter';
import { ProviderHttp, type CircuitState, type OutgoingRequest, type ProviderFailureKind, type ProviderHttpOptions } from './provider-http';

export interface SumsubClientOptions extends ProviderHttpOptions {
  /** `X-App-Token`. With secretKey; without both the client is disabled and lookup() answers undefined (webhooks are read status only). */
  appToken?: string;
  /** The app token's secret key: signs every request (`X-App-Access-Sig`). */
  secretKey?: string;
  /** The clock of `X-App-Access-Ts` (ms since the epoch); tests move it. */
  now?: () => number;
}

const CODES: Readonly<Record<ProviderFailureKind, SumsubApiError['code']>> = {
  unavailable: 'SUMSUB_API_UNAVAILABLE',
  refused: 'SUMSUB_API_REFUSED',
  circuit_open: 'SUMSUB_CIRCUIT_OPEN',
};

/**
 * Sumsub's API could not answer. Retryable: WebhookIntake lets it through, so the event goes to the
 * retry topic (never the DLQ at once). The message names the resource type and the HTTP status, never
 * ids or personal data.
 */
export class SumsubApiError extends Error {
  constructor(
    message: string,
    readonly code: 'SUMSUB_API_UNAVAILABLE' | 'SUMSUB_API_REFUSED' | 'SUMSUB_CIRCUIT_OPEN' = 'SUMSUB_API_UNAVAILABLE',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SumsubApiError';
  }
}

/**
 * `X-App-Access-Sig`: lowercase hex HMAC-SHA256, keyed with the app token's secret key, of the
 * timestamp (`X-App-Access-Ts`, seconds) + the method in upper case + the path with its query
 * (no host) + the body (empty for a GET). Sumsub's "Authentication" reference (docs.sumsub.com/reference/authentication).
 */
export function sumsubSignature(secretKey: string, ts: string, request: OutgoingRequest): string {
  return createHmac('sha256', secretKey).update(`${ts}${request.method.toUpperCase()}${request.path}${request.body}`).digest('hex');
}

/**
 * Sumsub's API as kyc-results uses it: `GET /resources/applicants/{applicantId}/one`, the applicant
 * behind an `applicantReviewed` webhook (its `info`, `fixedInfo`, `idDocs`: the person). Every
 * request is signed with an app token (X-App-Token, X-App-Access-Ts, X-App-Access-Sig). Timeouts,
 * retries (Retry-After), concurrency and the circuit breaker are ProviderHttp's, shared with the Onfido client.
 */
@Injectable()
export class SumsubClient implements ProviderApi {
  readonly provider = 'sumsub';
  private readonly appToken?: string;
  private readonly secretKey?: string;
  private readonly now: () => number;
  private readonly http: ProviderHttp;

  constructor(options: SumsubClientOptions) {
    const { appToken, secretKey, now, ...http } = options;
    this.appToken = appToken;
    this.secretKey = secretKey;
    this.now = now ?? Date.now;
    this.http = new ProviderHttp(
      {
        provider: 'Sumsub',
        headers: (request) => this.signed(request),
        error: (message, kind, status) => new SumsubApiError(message, CODES[kind], status),
      },
      http,
    );
  }

  static fromConfig(config: KycResultsConfig): SumsubClient {
    return new SumsubClient({ baseUrl: config.SUMSUB_BASE_URL, appToken: config.SUMSUB_APP_TOKEN, secretKey: config.SUMSUB_SECRET_KEY });
  }

  get enabled(): boolean {
    return !!this.appToken && !!this.secretKey;
  }

  get circuit(): CircuitState {
    return this.http.circuit;
  }

  applicant(applicantId: string): Promise<Json> {
    return this.http.getJson(`/resources/applicants/${encodeURIComponent(applicantId)}/one`, 'applicants');
  }

  /** `{applicant}` for SumsubAdapter; undefined without credentials. */
  async lookup({ resource, id }: ProviderLookup): Promise<Json | undefined> {
    if (!this.enabled) return undefined;
    if (resource !== 'applicant') throw new Error(`Sumsub lookup of an unknown resource ${resource}`);
    return { applicant: await this.applicant(id) };
  }

  private signed(request: OutgoingRequest): Record<string, string> {
    const ts = String(Math.floor(this.now() / 1000));
    return {
      'x-app-token': this.appToken ?? '',
      'x-app-access-ts': ts,
      'x-app-access-sig': sumsubSignature(this.secretKey ?? '', ts, request),
      // Sumsub asks JavaScript clients to send it even without a body.
      'content-type': 'application/json',
    };
  }
}
