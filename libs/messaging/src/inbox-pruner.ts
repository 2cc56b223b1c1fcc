import type { DataSource, EntityManager } from 'typeorm';
import { Wakeup } from '@compliance/persistence';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

const DAY_MS = 86_400_000;

/**
 * How long inbox rows are kept by default: 45 days. An inbox row only has to outlive every copy of its
 * event that could still be delivered, and Kafka is the bound: the personal-data, retry and
 * dead-letter topics keep records for the raw_webhooks policy (30 days by default), the others for
 * the broker default (7 days), and Kafka deletes whole segments, so a record can outlive its topic's
 * retention by up to `segment.ms` (7 days by default). A consumer group whose offsets expired reads
 * from the beginning (`fromBeginning`); its inbox must still know every event it finds there.
 */
export const DEFAULT_INBOX_RETENTION_DAYS = 45;

/**
 * Deletes at most `limit` inbox rows received more than `olderThanMs` ago (found through the BRIN
 * index on received_at, in no particular order: every one of them goes); the number deleted. Rows another pruner (a replica) is deleting are skipped, not waited for.
 */
export async function pruneInboxBatch(q: Queryable, olderThanMs: number, limit: number): Promise<number> {
  const [row] = await q.query(
    `WITH gone AS (
       DELETE FROM inbox i USING (
         SELECT consumer, event_id FROM inbox WHERE received_at < now() - ($1::float8 * interval '1 millisecond')
         LIMIT $2 FOR UPDATE SKIP LOCKED) old
       WHERE i.consumer = old.consumer AND i.event_id = old.event_id RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [olderThanMs, limit],
  );
  return row.n;
}

export interface InboxPrunerOptions {
  /** Inbox rows older than this are deleted. */
  keepMs: number;
  /** Rows per statement (default 5000): each batch is a short transaction of its own. */
  batchSize?: number;
  /** Between rounds (default 10 min). */
  intervalMs?: number;
  /** Before the first round (default 1 min): a service restarting often still prunes. */
  firstRoundAfterMs?: number;
  /** Between two full batches of a round (default 50 ms): a large backlog is worked off without hogging the database. */
  pauseMs?: number;
  onPruned?: (count: number) => void;
  onError?: (err: Error) => void;
}

/**
 * Keeps the inbox from growing forever: on a timer, deletes the rows older than the retention, in
 * bounded batches, until none is left. Losing a row early would let a redelivered event through
 * again; keeping it longer costs only space.
 */
export class InboxPruner {
  private running = false;
  private loop?: Promise<void>;
  private readonly wakeup = new Wakeup();

  constructor(
    private readonly ds: Queryable,
    private readonly opts: InboxPrunerOptions,
  ) {}

  static daysToMs(days: number): number {
    return days * DAY_MS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops between batches. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeup.wake();
    await this.loop;
  }

  /** One round: full batches until a batch finds fewer old rows than it may take (or the pruner stops). The rows deleted. */
  async pruneRound(): Promise<number> {
    const batchSize = this.opts.batchSize ?? 5000;
    let total = 0;
    for (;;) {
      const n = await pruneInboxBatch(this.ds, this.opts.keepMs, batchSize);
      total += n;
      if (n > 0) this.opts.onPruned?.(n);
      if (n < batchSize || (this.loop && !this.running)) return total;
      await this.wakeup.sleep(this.opts.pauseMs ?? 50);
    }
  }

  private async run(): Promise<void> {
    await this.wakeup.sleep(this.opts.firstRoundAfterMs ?? 60_000);
    while (this.running) {
      try {
        await this.pruneRound();
      } catch (err) {
        this.opts.onError?.(err as Error);
      }
      if (this.running) await this.wakeup.sleep(this.opts.intervalMs ?? 10 * 60_000);
    }
  }
}
