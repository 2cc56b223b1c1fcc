import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ServiceRuntime } from '@compliance/platform';
import { AuditLogConfig } from '../audit-log.config';
import { CheckpointService } from './checkpoint.service';

/** Every AUDIT_CHECKPOINT_INTERVAL_MS, checkpoints the head if it moved (quiet periods still get signed heads). */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly checkpoints: CheckpointService,
    private readonly config: AuditLogConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // Chained, so a slow tick never overlaps the next one.
      this.inFlight = this.inFlight.then(() => this.tick());
    }, this.config.AUDIT_CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  async tick(): Promise<number | undefined> {
    try {
      const sequence = await this.runtime.dataSource.transaction((m) => this.checkpoints.checkpointIfAdvanced(m));
      if (sequence !== undefined) this.runtime.relay.kick();
      return sequence;
    } catch (err) {
      this.runtime.log.warn({ err: (err as Error).message }, 'audit checkpoint failed, will retry on the next tick');
      return undefined;
    }
  }
}
