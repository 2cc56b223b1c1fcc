import { Injectable } from '@nestjs/common';
import type { KycResultsConfig } from '../kyc-results.config';
import type { Json } from './payload-fields';
import type { ProviderApi, ProviderLookup } from './provider-adapter';
import { ProviderHttp, type CircuitState, type ProviderFailureKind, type ProviderHttpOptions } from './provider-http';

export { retryAfterMs, type CircuitState } from './provider-http';

export interface OnfidoClientOptions extends ProviderHttpOptions {
  /** Unset: the client is disabled and lookup() answers undefined (webhooks are read status only). */
  token?: string;
}

const CODES: Readonly<Record<ProviderFailureKind, OnfidoApiError['code']>> = {
  unavailable: 'ONFIDO_API_UNAVAILABLE',
  refused: 'ONFIDO_API_REFUSED',
  circuit_open: 'ONFIDO_CIRCUIT_OPEN',
};

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

/**
 * Onfido API v3.6 (`Authorization: Token token=…`) as kyc-results uses it: the check or workflow run a
 * webhook names, and its applicant. Timeouts, retries (Retry-After), concurrency and the circuit
 * breaker are ProviderHttp's (provider-http.ts), shared with the Sumsub client.
 */
@Injectable()
export class OnfidoClient implements ProviderApi {
  readonly provider = 'onfido';
  private readonly token?: string;
  private readonly http: ProviderHttp;

  constructor(options: OnfidoClientOptions) {
    const { token, ...http } = options;
    this.token = token;
    this.http = new ProviderHttp(
      {
        provider: 'Onfido',
        headers: () => ({ authorization: `Token token=${this.token}` }),
        error: (message, kind, status) => new OnfidoApiError(message, CODES[kind], status),
      },
      http,
    );
  }

  static fromConfig(config: KycResultsConfig): OnfidoClient {
    return new OnfidoClient({ baseUrl: config.ONFIDO_BASE_URL, token: config.ONFIDO_API_TOKEN });
  }

  get enabled(): boolean {
    return !!this.token;
  }

  get circuit(): CircuitState {
    return this.http.circuit;
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

  private get(collection: string, id: string): Promise<Json> {
    return this.http.getJson(`/v3.6/${collection}/${encodeURIComponent(id)}`, collection);
  }
}
