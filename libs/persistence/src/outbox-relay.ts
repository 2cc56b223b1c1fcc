import type { DataSource } from 'typeorm';
import { toBatches, type RecordPublisher } from './outbox';
import { Wakeup } from './wakeup';

export interface OutboxRelayOptions {
  /** Distinguishes relays of different services sharing a database. */
  name: string;
  batchSize?: number;
  /**
   * Poll interval when idle (default 1 s). Every commit that writes to the outbox kicks the relay at
   * once; the poll only picks up rows a crashed process or another replica left behind.
   */
  idleMs?: number;
  /** Sent rows are kept this long (they may hold personal data), then deleted. */
  keepSentMs?: number;
  onError?: (err: Error) => void;
  onPublished?: (count: number) => void;
}

/**
 * Publishes outbox rows in id order and marks them sent. One relay per service holds the
 * transaction-scoped advisory lock at a time, so order per key survives several replicas; a relay
 * killed mid-batch leaves its rows unsent and they are published again (consumers dedupe by event id).
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private readonly wakeup = new Wakeup();
  private pending = false;
  private lastCleanup = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly publisher: RecordPublisher,
    private readonly opts: OutboxRelayOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ask for a drain now (after a commit that wrote to the outbox). */
  kick(): void {
    this.pending = true;
    this.wakeup.wake();
  }

  /** Stops after publishing everything that is already in the outbox. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeup.wake();
    await this.loop;
    await this.drainAll().catch((err) => this.opts.onError?.(err));
  }

  async drainAll(): Promise<number> {
    let total = 0;
    for (let n = await this.drainOnce(); n > 0; n = await this.drainOnce()) total += n;
    return total;
  }

  async unsentCount(): Promise<number> {
    const [row] = await this.ds.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL');
    return row.n;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pending = false;
      try {
        const n = await this.drainOnce();
        if (n > 0) continue;
        await this.cleanup();
      } catch (err) {
        this.opts.onError?.(err as Error);
        await this.wakeup.sleep(1000);
        continue;
      }
      if (!this.pending) await this.wakeup.sleep(this.opts.idleMs ?? 1000);
    }
  }

  private drainOnce(): Promise<number> {
    return this.ds.transaction(async (m) => {
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`outbox:${this.opts.name}`]);
      if (!locked) return 0;
      const rows = await m.query(
        'SELECT id, topic, key, value, headers FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1',
        [this.opts.batchSize ?? 500],
      );
      if (rows.length === 0) return 0;
      await this.publisher.publish(toBatches(rows));
      await m.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r: { id: string }) => r.id)]);
      this.opts.onPublished?.(rows.length);
      return rows.length;
    });
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    const keepMs = this.opts.keepSentMs ?? 10 * 60_000;
    await this.ds.query(`DELETE FROM outbox WHERE sent_at < now() - ($1::int * interval '1 millisecond')`, [keepMs]);
  }

}
