import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ServiceRuntime } from '@compliance/platform';
import type { InboundWebhook } from './inbound-webhook';

export type DeliveryState = 'pending' | 'produced' | 'spooled';

export interface KnownDelivery {
  eventId: string;
  state: DeliveryState;
  /** The claim is older than the caller's staleness limit: its owner died or gave up without settling. */
  stale: boolean;
}

export type Claim =
  | { kind: 'new'; /** The session already has webhooks waiting in the spool. */ backlog: boolean }
  | ({ kind: 'duplicate'; match: 'delivery' | 'content' } & KnownDelivery)
  /** Postgres did not answer in time; `late` is the claim once it does (or undefined on error). */
  | { kind: 'unavailable'; late: Promise<Claim | undefined> };

/**
 * The deliveries table: a verified webhook is claimed by inserting its row; the unique constraints on
 * (source, delivery id) and (source, content fingerprint) make concurrent duplicates resolve to one
 * winner. A claim stays `pending` until its webhook is in Kafka or in the spool.
 */
@Injectable()
export class DeliveryLedger implements OnModuleDestroy {
  private settling: string[] = [];
  private flushing?: Promise<void>;

  constructor(
    private readonly ds: DataSource,
    private readonly runtime: ServiceRuntime,
  ) {}

  async claim(webhook: InboundWebhook, timeoutMs: number, staleAfterMs: number): Promise<Claim> {
    const attempt = this.tryClaim(webhook, staleAfterMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const result = await Promise.race([attempt, timeout]);
      if (result !== 'timeout') return result;
    } catch (err) {
      this.runtime.log.warn({ err: (err as Error).message }, 'deliveries: claim failed, Postgres unavailable');
      return { kind: 'unavailable', late: Promise.resolve(undefined) };
    } finally {
      clearTimeout(timer);
    }
    return { kind: 'unavailable', late: attempt.catch(() => undefined) };
  }

  /** Marks the claim settled after Kafka took the webhook; batched, the answer does not wait for it. */
  settleProduced(...eventIds: string[]): void {
    this.settling.push(...eventIds);
    this.flushing ??= this.flushSettled().finally(() => {
      this.flushing = undefined;
      if (this.settling.length) this.settleProduced(...this.settling.splice(0));
    });
  }

  /** Gives the claim up (the webhook was answered 503), so the provider's retry is not a duplicate. */
  async release(eventId: string): Promise<void> {
    await this.ds.query(`DELETE FROM deliveries WHERE event_id = $1 AND state = 'pending'`, [eventId]);
  }

  /** Polls a pending claim until it settles or goes stale; undefined when it was released. */
  async awaitSettled(eventId: string, staleAfterMs: number): Promise<KnownDelivery | undefined> {
    for (;;) {
      const [row] = await this.ds.query(
        `SELECT event_id, state, claimed_at < now() - $2::int * interval '1 millisecond' AS stale FROM deliveries WHERE event_id = $1`,
        [eventId, staleAfterMs],
      );
      if (!row) return undefined;
      if (row.state !== 'pending' || row.stale) return { eventId: row.event_id, state: row.state, stale: row.stale };
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Takes over a stale pending claim; returns whether its session has a spool backlog, or undefined if another caller won. */
  async takeOver(eventId: string, staleAfterMs: number): Promise<{ backlog: boolean } | undefined> {
    const [row] = await this.ds.query(
      `UPDATE deliveries d SET claimed_at = now()
        WHERE event_id = $1 AND state = 'pending' AND claimed_at < now() - $2::int * interval '1 millisecond'
        RETURNING EXISTS (SELECT 1 FROM spool s WHERE s.session_key = d.session_key) AS backlog`,
      [eventId, staleAfterMs],
    );
    return row ? { backlog: row.backlog } : undefined;
  }

  async onModuleDestroy(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async tryClaim(w: InboundWebhook, staleAfterMs: number, round = 0): Promise<Claim> {
    const [claimed] = await this.ds.query(
      `WITH claimed AS (
         INSERT INTO deliveries (event_id, source, delivery_id, fingerprint, session_key, subject_ref)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM claimed) AS claimed, EXISTS (SELECT 1 FROM spool WHERE session_key = $5) AS backlog`,
      [w.eventId, w.source, w.deliveryId, w.fingerprint, w.key, w.subjectRef ?? null],
    );
    if (claimed.claimed) return { kind: 'new', backlog: claimed.backlog };
    const [first] = await this.ds.query(
      `SELECT event_id, state, (source = $2 AND delivery_id = $3) AS same_delivery,
              claimed_at < now() - $4::int * interval '1 millisecond' AS stale
         FROM deliveries WHERE event_id = $1 OR (source = $2 AND delivery_id = $3)
        ORDER BY same_delivery DESC LIMIT 1`,
      [w.eventId, w.source, w.deliveryId, staleAfterMs],
    );
    // Released between the two statements: the first attempt was answered 503, this one may claim.
    if (!first) {
      if (round >= 3) throw new Error('delivery claim kept vanishing');
      return this.tryClaim(w, staleAfterMs, round + 1);
    }
    return { kind: 'duplicate', match: first.same_delivery ? 'delivery' : 'content', eventId: first.event_id, state: first.state, stale: first.stale };
  }

  private async flushSettled(): Promise<void> {
    while (this.settling.length) {
      const ids = this.settling.splice(0, 1000);
      try {
        await this.ds.query(`UPDATE deliveries SET state = 'produced' WHERE event_id = ANY($1::uuid[]) AND state = 'pending'`, [ids]);
      } catch (err) {
        // Left pending: a later duplicate waits for the claim to go stale and publishes again (same event id).
        this.runtime.log.warn({ err: (err as Error).message, count: ids.length }, 'deliveries: could not mark webhooks produced');
      }
    }
  }
}
