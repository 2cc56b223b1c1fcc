import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { rekeySealedTable, type PiiCipher, type RekeyOutcome, type SealedTable } from '@compliance/persistence';

/**
 * After a PII key rotation, one background pass per start moves a service's sealed values to the
 * current key (keys only change with a restart). It stops between batches on shutdown; what it did
 * not reach is taken up at the next start.
 */
export abstract class PiiRekeyOnStart implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopping = false;
  private pass?: Promise<RekeyOutcome[]>;

  protected constructor(
    protected readonly dataSource: DataSource,
    protected readonly cipher: PiiCipher,
    protected readonly logger: PinoLogger,
  ) {}

  /** The service's tables of sealed values. */
  protected abstract tables(): SealedTable[];

  onApplicationBootstrap(): void {
    this.pass = this.run();
    this.pass.catch((err: Error) => this.logger.warn({ err: err.message }, 're-encryption under the current key stopped; it resumes at the next start'));
  }

  /** The outcome of this start's pass. */
  done(): Promise<RekeyOutcome[]> {
    return this.pass ?? Promise.resolve([]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.pass?.catch(() => undefined);
  }

  private async run(): Promise<RekeyOutcome[]> {
    const outcomes: RekeyOutcome[] = [];
    for (const table of this.tables()) outcomes.push(await rekeySealedTable(this.dataSource, this.cipher, table, { shouldStop: () => this.stopping }));
    if (outcomes.some((o) => o.rekeyed || o.unreadable)) this.logger.info({ outcomes, keyId: this.cipher.keyId }, 'personal data re-encrypted under the current key');
    return outcomes;
  }
}
