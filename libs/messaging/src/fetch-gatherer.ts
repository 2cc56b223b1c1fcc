import type { EachBatchPayload } from 'kafkajs';

/**
 * Group commit for kafkajs batches. kafkajs hands each partition's batch of a fetch to its own
 * `eachBatch` call, all started in the same tick when enough workers exist, and fetches again only
 * after every one of them returns. The gatherer collects the calls that arrive together and applies
 * them as one unit (one transaction, one offset commit); calls arriving while a unit is being applied
 * form the next one, so under load the units grow by themselves.
 */
export class FetchGatherer {
  private waiting: Array<{ payload: EachBatchPayload; resolve: () => void; reject: (err: unknown) => void }> = [];
  private scheduled = false;
  private applying = false;

  constructor(private readonly apply: (payloads: EachBatchPayload[]) => Promise<void>) {}

  /** Settles when the unit holding this batch has been applied and committed. */
  submit(payload: EachBatchPayload): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ payload, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.applying) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the batches of one fetch are started across several ticks of
    // promise jobs, all before the event loop turns.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const unit = this.waiting.splice(0);
    if (unit.length === 0) return;
    this.applying = true;
    try {
      await this.apply(unit.map((w) => w.payload));
      for (const w of unit) w.resolve();
    } catch (err) {
      for (const w of unit) w.reject(err);
    } finally {
      this.applying = false;
      if (this.waiting.length) this.schedule();
    }
  }
}
