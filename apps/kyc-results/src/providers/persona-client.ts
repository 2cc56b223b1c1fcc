import type { Json } from './payload-fields';
import { ProviderApiError, ProviderHttp, type ProviderHttpOptions } from './provider-http';

export interface PersonaClientOptions extends ProviderHttpOptions {
  /** `Authorization: Bearer …`. */
  apiKey: string;
}

/**
 * Persona's API as the reconciler uses it: `GET /api/v1/inquiries/{inquiry-id}`, one inquiry (its
 * `status`, `reference-id` and collected fields), authenticated with a bearer API key. Timeouts,
 * retries, Retry-After and the circuit breaker are ProviderHttp's.
 */
export class PersonaClient {
  readonly provider = 'persona';
  private readonly http: ProviderHttp;

  constructor(options: PersonaClientOptions) {
    const { apiKey, ...http } = options;
    this.http = new ProviderHttp(
      {
        provider: 'Persona',
        headers: () => ({ authorization: `Bearer ${apiKey}` }),
        error: (message, kind, status) => new ProviderApiError(message, kind, status),
      },
      http,
    );
  }

  inquiry(inquiryId: string): Promise<Json> {
    return this.http.getJson(`/api/v1/inquiries/${encodeURIComponent(inquiryId)}`, 'inquiries');
  }
}
