import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { Throttle } from '../providers/provider-http';

/**
 * A provider's rate limit shared by every replica: the next free call time per provider lives in
 * Postgres (`reconciliation_rate_limits`), and each call takes the next slot in one statement, so
 * calls from all replicas together are spaced 60 s / perMinute apart. Times are the database's clock,
 * so replicas with skewed clocks still agree. A Retry-After pushes the next slot back for everyone.
 */
export class SharedRateLimit implements Throttle {
  private readonly spacingSec: number;

  constructor(
    private readonly dataSource: DataSource,
    readonly provider: string,
    perMinute: number,
    /** Whether the caller still wants the slot it waits for (false once it stops). */
    private readonly active: () => boolean = () => true,
  ) {
    this.spacingSec = 60 / perMinute;
  }

  /** Takes the next free slot and waits for it. */
  async slot(): Promise<void> {
    const [row]: Array<{ wait_ms: number }> = await this.dataSource.query(
      `INSERT INTO reconciliation_rate_limits AS r (provider, next_slot_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2))
       ON CONFLICT (provider) DO UPDATE SET next_slot_at = GREATEST(r.next_slot_at, clock_timestamp()) + make_interval(secs => $2)
       RETURNING GREATEST(0, 1000 * EXTRACT(EPOCH FROM r.next_slot_at - make_interval(secs => $2) - clock_timestamp()))::float8 AS wait_ms`,
      [this.provider, this.spacingSec],
    );
    const wait = Math.ceil(row?.wait_ms ?? 0);
    if (wait > 0 && this.active()) await sleep(wait);
  }

  /** No call before `ms` from now, by any replica. */
  async pause(ms: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO reconciliation_rate_limits AS r (provider, next_slot_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2))
       ON CONFLICT (provider) DO UPDATE SET next_slot_at = GREATEST(r.next_slot_at, clock_timestamp() + make_interval(secs => $2))`,
      [this.provider, ms / 1000],
    );
  }
}
