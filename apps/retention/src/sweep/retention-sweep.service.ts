import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OutboxRelay } from '@compliance/messaging';
import { PinoLogger } from 'nestjs-pino';
import { Clock } from '../clock/clock';
import { ErasureProgressService } from '../erasure/erasure-progress.service';
import { ErasureService } from '../erasure/erasure.service';
import { TopicRetentionService } from '../policies/topic-retention.service';
import { ProviderDeletionService } from '../provider/provider-deletion.service';
import { PurgesService } from '../purges/purges.service';
import { RetentionConfig } from '../retention.config';

/**
 * The scheduled work, every RETENTION_SWEEP_INTERVAL_MS (the first run at start): topic retention,
 * erasures whose legal hold ended, purges due, overdue purges and erasures, pending provider deletions.
 * Sweeps never overlap in a process; each step is safe to run on several replicas at once.
 */
@Injectable()
export class RetentionSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Sweeps completed since start (tests wait on it instead of sleeping). */
  completed = 0;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly config: RetentionConfig,
    private readonly clock: Clock,
    private readonly logger: PinoLogger,
    private readonly relay: OutboxRelay,
    private readonly topics: TopicRetentionService,
    private readonly purges: PurgesService,
    private readonly erasure: ErasureService,
    private readonly progress: ErasureProgressService,
    private readonly provider: ProviderDeletionService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  async runOnce(): Promise<void> {
    const now = this.clock.now();
    await this.step('topic retention', () => this.topics.ensureApplied());
    await this.step('legal hold ends', () => this.erasure.releaseBlocked(now));
    await this.step('purges due', () => this.purges.emitDue(now));
    await this.step('purge deadlines', () => this.purges.handleOverdue(now));
    await this.step('erasure deadlines', () => this.progress.raiseOverdue(now));
    this.provider.kick();
    this.relay.kick();
    this.completed++;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.runOnce().finally(() => {
        this.inFlight = undefined;
        this.schedule(this.config.RETENTION_SWEEP_INTERVAL_MS);
      });
    }, delayMs);
  }

  private async step(name: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.logger.warn({ step: name, err: (err as Error).message }, 'retention sweep step failed, retried next sweep');
    }
  }
}
