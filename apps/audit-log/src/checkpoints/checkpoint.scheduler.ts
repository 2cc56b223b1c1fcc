import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { OutboxRelay } from '@compliance/messaging';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AuditLogConfig } from '../audit-log.config';
import { CheckpointService } from './checkpoint.service';

/** Every AUDIT_CHECKPOINT_INTERVAL_MS, checkpoints the head if it moved (quiet periods still get signed heads). */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: PinoLogger,
    private readonly relay: OutboxRelay,
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
      const sequence = await this.dataSource.transaction((m) => this.checkpoints.checkpointIfAdvanced(m));
      if (sequence !== undefined) this.relay.kick();
      return sequence;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'audit checkpoint failed, will retry on the next tick');
      return undefined;
    }
  }
}
