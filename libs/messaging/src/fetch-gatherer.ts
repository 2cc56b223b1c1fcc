import type { EachBatchPayload } from 'kafkajs';
import { GroupCommit } from './group-commit';

/**
 * Group commit for kafkajs batches. kafkajs hands each partition's batch of a fetch to its own
 * `eachBatch` call, all started in the same tick when enough workers exist, and fetches again only
 * after every one of them returns. The calls that arrive together are applied as one unit (one
 * transaction, one offset commit); calls arriving while a unit is being applied form the next one,
 * so under load the units grow by themselves.
 */
export class FetchGatherer {
  private readonly units: GroupCommit<EachBatchPayload, void>;

  constructor(apply: (payloads: EachBatchPayload[]) => Promise<void>) {
    this.units = new GroupCommit(async (payloads) => {
      await apply(payloads);
      return payloads.map(() => undefined);
    }, Number.POSITIVE_INFINITY);
  }

  /** Settles when the unit holding this batch has been applied and committed. */
  submit(payload: EachBatchPayload): Promise<void> {
    return this.units.submit(payload);
  }
}
