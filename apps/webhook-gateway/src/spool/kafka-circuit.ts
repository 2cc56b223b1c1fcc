import { Injectable } from '@nestjs/common';

/** After a failure, how long webhooks go straight to the spool before one is allowed to try Kafka again. */
const COOL_DOWN_MS = 5000;

/**
 * Whether Kafka is taking webhooks. While it is not, new webhooks are spooled at once instead of each
 * waiting out the produce budget; a relay success (or a late produce success) closes it early.
 */
@Injectable()
export class KafkaCircuit {
  private openUntil = 0;
  private openedAt?: number;

  open(now = Date.now()): void {
    this.openedAt ??= now;
    this.openUntil = now + COOL_DOWN_MS;
  }

  close(): void {
    this.openUntil = 0;
    this.openedAt = undefined;
  }

  isOpen(now = Date.now()): boolean {
    return now < this.openUntil;
  }

  /** For readiness details: since when Kafka has been failing, if it is. */
  failingSince(): string | undefined {
    return this.openedAt === undefined ? undefined : new Date(this.openedAt).toISOString();
  }
}
