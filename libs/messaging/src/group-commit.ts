interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: Error): void;
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

  /**
   * @param gatherMs how long the first item of an idle batcher waits for others (default 0: the next
   *   turn of the event loop). For work nobody waits on, such as bookkeeping after an answer was sent,
   *   so that a trickle of items costs one statement per `gatherMs` rather than one per item.
   */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly gatherMs = 0,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running) return;
      this.running = true;
      // Requests whose bodies ended in the same turn of the event loop share the first statement.
      if (this.gatherMs > 0) setTimeout(() => void this.drain(), this.gatherMs);
      else setImmediate(() => void this.drain());
    });
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.waitingForIdle.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
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
