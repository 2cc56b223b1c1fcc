import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { OutboxRelay } from '@compliance/messaging';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { insertProviderDeletion, pendingProviderDeletions, type PendingProviderDeletion } from '../erasure/erasure-request.repository';
import { ErasureProgressService } from '../erasure/erasure-progress.service';
import { RetentionConfig } from '../retention.config';
import { retentionMetrics } from '../retention.metrics';
import { DiditSessionClient, ProviderCallAborted } from './didit-session.client';

/**
 * Deletes the provider's copy of each session of a dispatched erasure (RETENTION_PROVIDER_DELETE).
 * Work is read from the database (sessions without an outcome), so a crash or restart only
 * repeats calls Didit answers 404 to; the outcome may finish the request.
 */
@Injectable()
export class ProviderDeletionService implements BeforeApplicationShutdown {
  private draining?: Promise<void>;
  private again = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: RetentionConfig,
    private readonly logger: PinoLogger,
    private readonly relay: OutboxRelay,
    private readonly client: DiditSessionClient,
    private readonly progress: ErasureProgressService,
  ) {}

  /** Starts a drain unless one is running (which then goes round once more). */
  kick(): void {
    if (!this.config.providerDeletionEnabled || this.stopping.signal.aborted) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((err) => this.logger.warn({ err: (err as Error).message }, 'provider deletions interrupted, the sweep resumes them'))
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.draining;
  }

  private async drain(): Promise<void> {
    for (let batch = await this.pending(); batch.length > 0; batch = await this.pending()) {
      for (const item of batch) {
        if (this.stopping.signal.aborted) return;
        await this.deleteOne(item);
      }
    }
  }

  private pending(): Promise<PendingProviderDeletion[]> {
    return pendingProviderDeletions(this.ds);
  }

  private async deleteOne(item: PendingProviderDeletion): Promise<void> {
    let result;
    try {
      result = await this.client.deleteSession(item.session_id, this.stopping.signal);
    } catch (err) {
      if (err instanceof ProviderCallAborted) return;
      throw err;
    }
    retentionMetrics.providerDeletions.inc({ outcome: result.outcome });
    await this.ds.transaction(async (m) => {
      await insertProviderDeletion(m, {
        requestId: item.request_id,
        sessionId: item.session_id,
        outcome: result.outcome,
        httpStatus: result.httpStatus ?? null,
        attempts: result.attempts,
        error: result.error ?? null,
        attemptedAt: this.clock.now(),
      });
      await this.progress.tryFinish(m, item.request_id);
    });
    this.relay.kick();
  }
}
