import { Counter, Gauge } from 'prom-client';
import type { ScreeningVerdict } from '../../screenings/screening.types';
import { CircuitBreaker, type BreakerState } from '../circuit-breaker';
import { ScreeningProvider, type ProviderScreenRequest } from '../screening-provider';
import { DiditAmlClient } from './didit-aml.client';
import { verdictFromDidit } from './didit-verdict';
import { metricOnce } from '@compliance/observability';

const calls = metricOnce(
  'aml_provider_calls_total',
  () => new Counter({ name: 'aml_provider_calls_total', help: 'Provider call attempts by outcome', labelNames: ['provider', 'outcome'] }),
);
const breakerGauge = metricOnce(
  'aml_provider_circuit_open',
  () => new Gauge({ name: 'aml_provider_circuit_open', help: '1 while the provider circuit breaker is open or half-open', labelNames: ['provider'] }),
);

export interface DiditProviderSettings {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  breakerThreshold?: number;
  breakerOpenMs?: number;
}

/** AML_PROVIDER=didit: Didit screens against its own lists; the version set is Didit's. */
export class DiditScreeningProvider extends ScreeningProvider {
  readonly name = 'didit' as const;
  readonly inline = false;
  readonly breaker: CircuitBreaker;
  private readonly client: DiditAmlClient;

  constructor(settings: DiditProviderSettings) {
    super();
    this.breaker = new CircuitBreaker({
      failureThreshold: settings.breakerThreshold ?? 5,
      openMs: settings.breakerOpenMs ?? 30_000,
      onStateChange: (state: BreakerState) => breakerGauge.set({ provider: 'didit' }, state === 'closed' ? 0 : 1),
    });
    this.client = new DiditAmlClient({ ...settings, breaker: this.breaker, onAttempt: (outcome) => calls.inc({ provider: 'didit', outcome }) });
  }

  listSetKey(): string {
    return 'didit';
  }

  async screen({ identity, suppressedHitKeys, idempotencyKey }: ProviderScreenRequest): Promise<ScreeningVerdict> {
    const { response, attempts } = await this.client.screen(
      {
        full_name: identity.fullName,
        date_of_birth: identity.dateOfBirth,
        nationality: identity.nationality,
        document_number: identity.documentNumber,
        entity_type: 'person',
      },
      idempotencyKey,
    );
    return { ...verdictFromDidit(response, suppressedHitKeys), attempts };
  }
}
