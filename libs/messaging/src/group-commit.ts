interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: Error): void;
}

/** Batches smaller than this are gathered under `small-batches`. */
const SMALL_BATCH = 8;

/** When an idle batcher waits for more items before its first statement (see the constructor). */
export interface GatherPolicy {
  ms: number;
  when: 'always' | 'small-batches';
}

/**
 * Group commit: one statement in flight; whatever arrives meanwhile goes together in the next one.
 * Under load a batch is as large as what arrived during the previous statement, so the round trips
 * (and the WAL flushes) per request shrink as the load grows; an idle system still answers one
 * request in one statement. `run` answers every item of a batch in order, or fails them all.
 */
export class GroupCommit<T, R> {
  private readonly queue: Array<Waiting<T, R>> = [];
  private running = false;
  private readonly waitingForIdle: Array<() => void> = [];
  /** Items in the latest batch run (for `small-batches`). */
  private lastBatch = 0;

  /**
   * @param gather how long the first item of an idle batcher waits for others (default: not at all,
   *   the next turn of the event loop). `always`: for work nobody waits on, such as bookkeeping after
   *   an answer was sent, so a trickle costs one statement per `ms` rather than one per item.
   *   `small-batches`: only while the previous batch held a few items (2 to 7): items arrive together
   *   but not enough of them to fill a batch by themselves. An item arriving alone is not kept waiting
   *   (the wait would only add a wake-up), nor are items that already come in large batches.
   */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly gather?: GatherPolicy,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running) return;
      this.running = true;
      // Requests whose bodies ended in the same turn of the event loop share the first statement.
      if (this.gather && this.gathers(this.gather)) setTimeout(() => void this.drain(), this.gather.ms);
      else setImmediate(() => void this.drain());
    });
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.waitingForIdle.push(resolve));
  }

  private gathers({ ms, when }: GatherPolicy): boolean {
    return ms > 0 && (when === 'always' || (this.lastBatch >= 2 && this.lastBatch < SMALL_BATCH));
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.lastBatch = batch.length;
      try {
        const results = await this.run(batch.map((w) => w.item));
        if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} was answered with ${results.length} results`);
        batch.forEach((w, i) => w.resolve(results[i]));
      } catch (err) {
        for (const w of batch) w.reject(err as Error);
      }
    }
    this.running = false;
    this.waitingForIdle.splice(0).forEach((resolve) => resolve());
  }
}
