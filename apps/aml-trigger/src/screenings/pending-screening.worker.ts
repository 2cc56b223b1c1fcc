import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, type EntityManager } from 'typeorm';
import { ServiceRuntime } from '@compliance/platform';
import { OutboxRelay } from '@compliance/messaging';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { suppressedHitKeys } from '../alerts/alert.repository';
import { Wakeup } from '@compliance/persistence';
import { IdentitySealing } from '../pii/identity-sealing';
import { ProviderFailure, ScreeningProvider } from '../provider/screening-provider';
import { claimUnfinished, lockIfRunning, refOf, type ScreeningRow } from './screening.repository';
import type { ScreeningIdentity, ScreeningVerdict } from './screening.types';
import { sealContext, ScreeningsService } from './screenings.service';

/** A remote provider's screenings wait here routinely; with the built-in screener only after a provider switch. */
const idleMs = (inline: boolean) => (inline ? 5000 : 500);

/**
 * Performs screenings that a remote provider answers: outside any transaction (a provider call with
 * retries can take seconds), under a lease so that a crashed worker's screening is taken up again
 * with the same Idempotency-Key. The result is written with its events in one transaction.
 */
@Injectable()
export class PendingScreeningWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private readonly wakeup = new Wakeup();
  private readonly leaseMs: number;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly logger: PinoLogger,
    private readonly provider: ScreeningProvider,
    private readonly screenings: ScreeningsService,
    private readonly sealing: IdentitySealing,
    config: AmlTriggerConfig,
  ) {
    const backoff = config.DIDIT_RETRY_BASE_MS * 2 ** config.DIDIT_MAX_ATTEMPTS * 1.2;
    this.leaseMs = Math.ceil(config.DIDIT_TIMEOUT_MS * config.DIDIT_MAX_ATTEMPTS + backoff + 30_000);
  }

  onApplicationBootstrap(): void {
    // Committed screenings have events to publish and, with a remote provider, calls to make.
    this.runtime.afterCommit(() => this.kick());
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
  }

  kick(): void {
    this.wakeup.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        const row = await claimUnfinished(this.dataSource, this.leaseMs);
        if (row) {
          worked = true;
          await this.perform(row);
        }
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'pending screening worker: will retry');
      }
      if (!worked) await this.wakeup.sleep(idleMs(this.provider.inline));
    }
  }

  private async perform(row: ScreeningRow): Promise<void> {
    const ref = refOf(row);
    if (!row.input_sealed) return this.finish(row, (m) => this.screenings.fail(m, ref, 'the identity was erased before the screening ran', row.attempts, false));
    let identity: ScreeningIdentity | undefined;
    try {
      identity = await this.sealing.open<ScreeningIdentity>(row.input_sealed, sealContext(row.id));
    } catch {
      return this.finish(row, (m) => this.screenings.fail(m, ref, 'the stored identity cannot be decrypted (was PII_ENCRYPTION_KEY or KEYRING_MASTER_KEY changed?)', 0));
    }
    // Its data key destroyed: the person's erasure was ordered.
    if (!identity) return this.finish(row, (m) => this.screenings.fail(m, ref, 'the identity was erased before the screening ran', row.attempts, false));
    const suppressed = (await suppressedHitKeys(this.dataSource, [row.subject_ref])).get(row.subject_ref) ?? new Set<string>();
    let verdict: ScreeningVerdict;
    try {
      verdict = await this.provider.screen({ identity, suppressedHitKeys: suppressed, idempotencyKey: row.id });
    } catch (err) {
      const attempts = err instanceof ProviderFailure ? err.attempts : 1;
      const reason = err instanceof ProviderFailure ? err.message : `screening failed: ${(err as Error).message}`;
      return this.finish(row, (m) => this.screenings.fail(m, ref, reason, attempts));
    }
    await this.finish(row, (m) => this.screenings.complete(m, { ...ref, provider: this.provider.name }, verdict));
  }

  /** Writes the outcome unless someone else finished the screening meanwhile (an expired lease). */
  private async finish(row: ScreeningRow, write: (m: EntityManager) => Promise<unknown>): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      if (await lockIfRunning(m, row.id)) await write(m);
    });
    this.relay.kick();
  }

}
