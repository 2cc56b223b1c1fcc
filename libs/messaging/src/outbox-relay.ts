import type { DataSource, QueryRunner } from 'typeorm';
import { OUTBOX_WRITERS_LOCK, toBatches, type OutboxRow, type RecordPublisher } from './outbox';
import { preparedStatement, runPrepared, Wakeup } from '@compliance/persistence';

export interface OutboxRelayOptions {
  /** Distinguishes relays of different services sharing a database. */
  name: string;
  batchSize?: number;
  /**
   * Poll interval when idle (default 1 s). Every commit that writes to the outbox kicks the relay at
   * once; the poll only picks up rows a crashed process or another replica left behind.
   */
  idleMs?: number;
  onError?: (err: Error) => void;
  onPublished?: (count: number) => void;
  /**
   * How often one read starts from the bottom instead of the floor (default 10 s): it picks up a row
   * below the floor that no settled read could account for (written by a replica of an earlier version,
   * which does not take the writers' lock, or after the id sequence started again).
   */
  bottomReadMs?: number;
}

// Every row is unsent (sent ones are deleted; the migration that dropped outbox_unsent deleted rows an
// earlier version marked sent). No filter on sent_at: without statistics Postgres guesses `IS NULL`
// matches 0.5 % of rows and reads the whole id range with a bitmap scan instead of the first rows by id.
const READ_UNSENT = preparedStatement('SELECT id, topic, key, value, headers FROM outbox WHERE id > $1 ORDER BY id LIMIT $2');
const DELETE_SENT = preparedStatement('DELETE FROM outbox WHERE id = ANY($1::bigint[])');
const TRY_SETTLE = `SELECT pg_try_advisory_lock(${OUTBOX_WRITERS_LOCK}) AS settled`;
const END_SETTLE = `SELECT pg_advisory_unlock(${OUTBOX_WRITERS_LOCK})`;

/** How often the relay tries to move its floor up (a settled read); between tries dead rows above it pile up. */
const SETTLE_EVERY_MS = 200;

/**
 * Publishes outbox rows in id order and deletes them once Kafka has them. One relay per service
 * publishes at a time: it holds a session advisory lock on a connection of its own (released with the
 * connection if the process dies), so order per key survives several replicas without a transaction
 * held open across the Kafka send. A drain is two statements around the send. A relay killed mid-batch leaves its rows
 * unsent and they are published again (consumers dedupe by event id).
 *
 * A sent row is deleted, not marked: no copy of an event (personal data included) outlives its
 * publication, and the row is not written a second time (marking it rewrote the whole row, a sixth of
 * the suite's WAL at 250 webhooks/s). Rows an earlier version marked sent are deleted by the cleanup.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private readonly wakeup = new Wakeup();
  private pending = false;
  private lastCleanup = 0;
  /** The connection holding the publisher lock while this relay is the one publishing. */
  private leader?: QueryRunner;
  /**
   * Every row with an id up to the floor is published and deleted, and no other will commit: reads
   * start after it, so a drain does not walk the rows deleted before (dead until a vacuum reclaims
   * them, which may be a minute or, with autovacuum off, never).
   */
  private floor = 0;
  private lastSettled = 0;
  private lastBottomRead = 0;

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
    await this.resign();
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
        // A short drain emptied the outbox as of its read: only a kick since then means more work.
        if (n === this.batchSize || (n > 0 && this.pending)) continue;
        await this.cleanup();
      } catch (err) {
        this.opts.onError?.(err as Error);
        await this.wakeup.sleep(1000);
        continue;
      }
      if (!this.pending) await this.wakeup.sleep(this.opts.idleMs ?? 1000);
    }
  }

  private get batchSize(): number {
    return this.opts.batchSize ?? 500;
  }

  private async drainOnce(): Promise<number> {
    const leader = await this.lead();
    if (!leader) return 0;
    try {
      const { rows, settled } = await this.read(leader);
      if (rows.length === 0) return 0;
      await this.publisher.publish(toBatches(rows));
      await runPrepared(leader, DELETE_SENT, [rows.map((r: { id: string }) => r.id)]);
      if (settled) this.floor = Math.max(this.floor, Number(rows[rows.length - 1].id));
      this.opts.onPublished?.(rows.length);
      return rows.length;
    } catch (err) {
      await this.resign();
      throw err;
    }
  }

  /**
   * The next rows after the floor. Now and then the read is settled: taken under the outbox writers'
   * lock, held exclusively for the read alone (tried, never waited for: a writer in flight just means
   * an ordinary read). Writers hold that lock shared from before their rows take ids until they end,
   * so no row with an id below the settled read's last one can commit later: once those rows are
   * published and deleted, that id is the new floor. An ordinary read proves nothing of the kind (a
   * transaction holding a lower id may still commit) and leaves the floor where it is.
   */
  private async read(leader: QueryRunner): Promise<{ rows: OutboxRow[]; settled: boolean }> {
    let settled = false;
    if (Date.now() - this.lastBottomRead >= (this.opts.bottomReadMs ?? 10_000)) {
      this.lastBottomRead = Date.now();
      this.floor = 0;
    }
    if (Date.now() - this.lastSettled >= SETTLE_EVERY_MS) {
      [{ settled }] = await leader.query(TRY_SETTLE);
      if (settled) this.lastSettled = Date.now();
    }
    try {
      return { rows: await runPrepared(leader, READ_UNSENT, [this.floor, this.batchSize]), settled };
    } finally {
      if (settled) await leader.query(END_SETTLE);
    }
  }

  /** This relay's lock connection, taking the lock if no other relay of the service holds it. */
  private async lead(): Promise<QueryRunner | undefined> {
    if (this.leader) return this.leader;
    const runner = this.ds.createQueryRunner();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.lockName]);
      if (locked) return (this.leader = runner);
    } catch (err) {
      await runner.release();
      throw err;
    }
    await runner.release();
    return undefined;
  }

  private async resign(): Promise<void> {
    const runner = this.leader;
    this.leader = undefined;
    if (!runner) return;
    try {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockName]);
      await runner.release();
    } catch (err) {
      // A connection that may still hold the lock must not go back to the pool: close it.
      const closing = runner as unknown as { releasePostgresConnection(e: Error): Promise<void> };
      await closing.releasePostgresConnection(err as Error);
    }
  }

  private get lockName(): string {
    return `outbox:${this.opts.name}`;
  }

  /** Rows an earlier version (a replica not yet upgraded) marked sent instead of deleting them (`sent_at` is no longer set). */
  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.ds.query('DELETE FROM outbox WHERE sent_at IS NOT NULL');
  }

}
