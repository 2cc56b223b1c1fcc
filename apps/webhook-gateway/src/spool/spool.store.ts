import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EncodedRecord } from '@compliance/contracts';
import type { InboundWebhook } from '../ingest/inbound-webhook';
import { markSpooledProduced } from '../ingest/delivery.repository';
import { deleteHeld, deleteSpooled, lockPublishable, releaseHold, spoolDepth, spoolWebhook, tryDrainLock, type SpoolDepth, type SpoolRow } from './spool.repository';

/**
 * The spool table: webhooks Kafka could not take in time, in arrival order. A row whose produce is
 * still in flight is held (`hold_until`) so the relay neither publishes it a second time nor lets
 * later webhooks of its session overtake it.
 */
@Injectable()
export class SpoolStore {
  constructor(private readonly ds: DataSource) {}

  /** Spools the webhook and marks its delivery settled, in one statement. */
  async add(webhook: InboundWebhook, holdMs: number): Promise<void> {
    await spoolWebhook(this.ds, webhook, holdMs);
  }

  /** The held produce did reach Kafka after all: the spooled copy must not be published again. */
  async forgetProduced(eventId: string): Promise<void> {
    await deleteHeld(this.ds, eventId);
  }

  /** The held produce failed: the relay may publish the row now. */
  async releaseHold(eventId: string): Promise<void> {
    await releaseHold(this.ds, eventId);
  }

  depth(): Promise<SpoolDepth> {
    return spoolDepth(this.ds);
  }

  /**
   * Publishes the oldest rows and deletes them, in one transaction under a lock (one relay per
   * deployment at a time, so order per session holds across replicas). A session stops at its first
   * held row. Returns how many were published.
   */
  drain(lockName: string, limit: number, maxBytes: number, publish: (records: EncodedRecord[]) => Promise<void>): Promise<number> {
    return this.ds.transaction(async (m) => {
      if (!(await tryDrainLock(m, lockName))) return 0;
      const batch = upToBytes(await lockPublishable(m, limit), maxBytes);
      if (batch.length === 0) return 0;
      await publish(batch.map((r) => ({ key: r.session_key, value: r.value, headers: r.headers })));
      await deleteSpooled(m, batch.map((r) => r.id));
      await markSpooledProduced(m, batch.map((r) => r.event_id));
      return batch.length;
    });
  }
}

function upToBytes(rows: SpoolRow[], maxBytes: number): SpoolRow[] {
  let bytes = 0;
  const out: SpoolRow[] = [];
  for (const row of rows) {
    bytes += row.value.length + 512;
    if (out.length && bytes > maxBytes) break;
    out.push(row);
  }
  return out;
}
