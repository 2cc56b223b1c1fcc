import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { GroupCommit, type GatherPolicy } from '@compliance/messaging';
import { claimBatch, type Inserted } from './delivery-claims';
import {
  findDelivery,
  findFirstClaims,
  markPendingProduced,
  releaseClaim,
  takeOverStaleClaim,
  type FirstClaim,
  type KnownDelivery,
} from './delivery.repository';
import type { InboundWebhook } from './inbound-webhook';

export type Claim =
  | { kind: 'new'; /** The session already has webhooks waiting in the spool. */ backlog: boolean }
  | ({ kind: 'duplicate'; match: 'delivery' | 'content' } & KnownDelivery)
  /** Postgres did not answer in time; `late` is the claim once it does (or undefined on error). */
  | { kind: 'unavailable'; late: Promise<Claim | undefined> };

/** Rows per statement: a few hundred keeps one statement well under a millisecond of planning. */
const MAX_BATCH = 500;
const MAX_SETTLE_BATCH = 1000;
/**
 * How long a claim waits for the claims of other requests while claims come in small batches (2 to 7).
 * Answered at once, at 500 webhooks/s the claims made batches of two, each a statement and a wake-up
 * of Postgres and of the gateway; 5 ms more per request made them about twice as large and took 6–8 %
 * off the suite's CPU per webhook at 500/s, with a lower p99 end to end. A claim arriving alone, or
 * among enough others, is not kept waiting (docs/performance.md).
 */
export const CLAIM_GATHER: GatherPolicy = { ms: 5, when: 'small-batches' };
/** How long a settlement waits for others: a duplicate of a webhook still settling polls every 50 ms anyway. */
const SETTLE_GATHER: GatherPolicy = { ms: 50, when: 'always' };

/**
 * The deliveries table: a verified webhook is claimed by inserting its row; the unique constraints on
 * (source, delivery id) and (source, content fingerprint) make concurrent duplicates resolve to one
 * winner. A claim stays `pending` until its webhook is in Kafka or in the spool.
 *
 * Claims, duplicate look-ups and settlements are group-committed: concurrent requests share one
 * statement each (see GroupCommit), which is what lets the claim keep up with the HTTP side.
 */
@Injectable()
export class DeliveryLedger implements OnModuleDestroy {
  private readonly inserts: GroupCommit<InboundWebhook, Inserted>;
  private readonly lookups: GroupCommit<{ webhook: InboundWebhook; staleAfterMs: number }, FirstClaim | undefined>;
  private readonly settlements: GroupCommit<string, void>;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: PinoLogger,
  ) {
    this.inserts = new GroupCommit((webhooks) => claimBatch(ds, webhooks), MAX_BATCH, CLAIM_GATHER);
    this.lookups = new GroupCommit((requests) => findFirstClaims(ds, requests), MAX_BATCH);
    // Nobody waits on a settlement (the webhook was answered), so a trickle of them is gathered.
    this.settlements = new GroupCommit((ids) => this.markProduced(ids), MAX_SETTLE_BATCH, SETTLE_GATHER);
  }

  async claim(webhook: InboundWebhook, timeoutMs: number, staleAfterMs: number): Promise<Claim> {
    const attempt = this.tryClaim(webhook, staleAfterMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const result = await Promise.race([attempt, timeout]);
      if (result !== 'timeout') return result;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'deliveries: claim failed, Postgres unavailable');
      return { kind: 'unavailable', late: Promise.resolve(undefined) };
    } finally {
      clearTimeout(timer);
    }
    return { kind: 'unavailable', late: attempt.catch(() => undefined) };
  }

  /** Marks the claim settled after Kafka took the webhook; batched, the answer does not wait for it. */
  settleProduced(...eventIds: string[]): void {
    for (const id of eventIds) void this.settlements.submit(id);
  }

  /** Gives the claim up (the webhook was answered 503), so the provider's retry is not a duplicate. */
  async release(eventId: string): Promise<void> {
    await releaseClaim(this.ds, eventId);
  }

  /** Polls a pending claim until it settles or goes stale; undefined when it was released. */
  async awaitSettled(eventId: string, staleAfterMs: number): Promise<KnownDelivery | undefined> {
    for (;;) {
      const known = await findDelivery(this.ds, eventId, staleAfterMs);
      if (!known) return undefined;
      if (known.state !== 'pending' || known.stale) return known;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Takes over a stale pending claim; returns whether its session has a spool backlog, or undefined if another caller won. */
  async takeOver(eventId: string, staleAfterMs: number): Promise<{ backlog: boolean } | undefined> {
    return takeOverStaleClaim(this.ds, eventId, staleAfterMs);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.inserts.idle(), this.lookups.idle(), this.settlements.idle()]);
  }

  private async tryClaim(w: InboundWebhook, staleAfterMs: number, round = 0): Promise<Claim> {
    const inserted = await this.inserts.submit(w);
    if (inserted.kind === 'failed') throw inserted.err;
    if (inserted.kind === 'claimed') return { kind: 'new', backlog: inserted.backlog };
    const first = await this.lookups.submit({ webhook: w, staleAfterMs });
    // Released between the two statements: the first attempt was answered 503, this one may claim.
    if (!first) {
      if (round >= 3) throw new Error('delivery claim kept vanishing');
      return this.tryClaim(w, staleAfterMs, round + 1);
    }
    return { kind: 'duplicate', ...first };
  }

  private async markProduced(ids: string[]): Promise<void[]> {
    try {
      await markPendingProduced(this.ds, ids);
    } catch (err) {
      // Left pending: a later duplicate waits for the claim to go stale and publishes again (same event id).
      this.logger.warn({ err: (err as Error).message, count: ids.length }, 'deliveries: could not mark webhooks produced');
    }
    return ids.map(() => undefined);
  }
}
