import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EncodedRecord } from '@compliance/contracts';
import type { InboundWebhook } from '../ingest/inbound-webhook';

export interface SpoolDepth {
  depth: number;
  oldestSpooledAt?: string;
}

interface SpoolRow {
  id: string;
  event_id: string;
  session_key: string;
  value: string;
  headers: Record<string, string>;
}

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
    await this.ds.query(
      `WITH spooled AS (
         INSERT INTO spool (event_id, session_key, subject_ref, value, headers, received_at, hold_until)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int > 0 THEN now() + $7::int * interval '1 millisecond' END)
         ON CONFLICT (event_id) DO NOTHING RETURNING 1)
       UPDATE deliveries SET state = 'spooled' WHERE event_id = $1`,
      [webhook.eventId, webhook.key, webhook.subjectRef ?? null, webhook.record.value, JSON.stringify(webhook.record.headers), webhook.receivedAt, holdMs],
    );
  }

  /** The held produce did reach Kafka after all: the spooled copy must not be published again. */
  async forgetProduced(eventId: string): Promise<void> {
    await this.ds.query('DELETE FROM spool WHERE event_id = $1 AND hold_until IS NOT NULL', [eventId]);
  }

  /** The held produce failed: the relay may publish the row now. */
  async releaseHold(eventId: string): Promise<void> {
    await this.ds.query('UPDATE spool SET hold_until = NULL WHERE event_id = $1', [eventId]);
  }

  async depth(): Promise<SpoolDepth> {
    const [row] = await this.ds.query('SELECT count(*)::int AS depth, min(spooled_at) AS oldest FROM spool');
    return { depth: row.depth, oldestSpooledAt: row.oldest ? new Date(row.oldest).toISOString() : undefined };
  }

  /**
   * Publishes the oldest rows and deletes them, in one transaction under a lock (one relay per
   * deployment at a time, so order per session holds across replicas). A session stops at its first
   * held row. Returns how many were published.
   */
  drain(lockName: string, limit: number, maxBytes: number, publish: (records: EncodedRecord[]) => Promise<void>): Promise<number> {
    return this.ds.transaction(async (m) => {
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [lockName]);
      if (!locked) return 0;
      const rows: SpoolRow[] = await m.query(
        `SELECT s.id, s.event_id, s.session_key, s.value, s.headers FROM spool s
          WHERE NOT EXISTS (SELECT 1 FROM spool h WHERE h.session_key = s.session_key AND h.id <= s.id AND h.hold_until > now())
          ORDER BY s.id LIMIT $1 FOR UPDATE OF s`,
        [limit],
      );
      const batch = upToBytes(rows, maxBytes);
      if (batch.length === 0) return 0;
      await publish(batch.map((r) => ({ key: r.session_key, value: r.value, headers: r.headers })));
      await m.query('DELETE FROM spool WHERE id = ANY($1::bigint[])', [batch.map((r) => r.id)]);
      await m.query(`UPDATE deliveries SET state = 'produced' WHERE event_id = ANY($1::uuid[])`, [batch.map((r) => r.event_id)]);
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
