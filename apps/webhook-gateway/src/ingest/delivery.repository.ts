import type { EntityManager } from 'typeorm';
import { affectedRows } from '@compliance/messaging';
import { preparedStatement, runPrepared } from '@compliance/persistence';
import type { InboundWebhook } from './inbound-webhook';

/** An EntityManager (inside a transaction) or the DataSource: both run raw SQL. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type DeliveryState = 'pending' | 'produced' | 'spooled';

export interface KnownDelivery {
  eventId: string;
  state: DeliveryState;
  /** The claim is older than the caller's staleness limit: its owner died or gave up without settling. */
  stale: boolean;
}

/** The row a webhook that lost its claim is a duplicate of. */
export interface FirstClaim extends KnownDelivery {
  match: 'delivery' | 'content';
}

interface FirstClaimRow {
  i: string;
  event_id: string | null;
  state: DeliveryState;
  same_delivery: boolean;
  stale: boolean;
}

const INSERT_CLAIMS = preparedStatement(
  `WITH claimed AS (
     INSERT INTO deliveries (event_id, source, delivery_id, fingerprint, session_key, subject_ref)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT DO NOTHING RETURNING event_id, session_key)
   SELECT c.event_id, EXISTS (SELECT 1 FROM spool s WHERE s.session_key = c.session_key) AS backlog FROM claimed c`,
);
const MARK_PENDING_PRODUCED = preparedStatement(`UPDATE deliveries SET state = 'produced' WHERE event_id = ANY($1::uuid[]) AND state = 'pending'`);

/**
 * Inserts the claims in one statement; returns the event ids inserted (lower case), each with whether
 * its session has a spool backlog. A claim whose delivery id or content is already there is skipped.
 */
export async function insertClaims(q: Queryable, webhooks: InboundWebhook[]): Promise<Map<string, boolean>> {
  // Rows in event id order: two replicas' batches then take their row locks in the same order.
  const rows = [...webhooks].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const claimed = await runPrepared<{ event_id: string; backlog: boolean }>(q, INSERT_CLAIMS, [
    rows.map((w) => w.eventId),
    rows.map((w) => w.source),
    rows.map((w) => w.deliveryId),
    rows.map((w) => w.fingerprint),
    rows.map((w) => w.key),
    rows.map((w) => w.subjectRef ?? null),
  ]);
  return new Map(claimed.map((c) => [c.event_id.toLowerCase(), c.backlog]));
}

/**
 * For each webhook that lost its claim, in one statement: the row it is a duplicate of, the one with
 * the same delivery id first, else the one with the same content; undefined when that row is gone
 * (released after a 503).
 */
export async function findFirstClaims(q: Queryable, requests: Array<{ webhook: InboundWebhook; staleAfterMs: number }>): Promise<Array<FirstClaim | undefined>> {
  const rows: FirstClaimRow[] = await q.query(
    `SELECT l.i, f.event_id, f.state, f.same_delivery, f.stale
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[]) WITH ORDINALITY AS l(event_id, source, delivery_id, stale_ms, i)
       LEFT JOIN LATERAL (
         SELECT d.event_id, d.state, (d.source = l.source AND d.delivery_id = l.delivery_id) AS same_delivery,
                d.claimed_at < now() - l.stale_ms * interval '1 millisecond' AS stale
           FROM deliveries d
          WHERE d.event_id = l.event_id OR (d.source = l.source AND d.delivery_id = l.delivery_id)
          ORDER BY same_delivery DESC LIMIT 1) f ON true
      ORDER BY l.i`,
    [
      requests.map((r) => r.webhook.eventId),
      requests.map((r) => r.webhook.source),
      requests.map((r) => r.webhook.deliveryId),
      requests.map((r) => r.staleAfterMs),
    ],
  );
  return rows.map((row) => (row.event_id ? { eventId: row.event_id, state: row.state, stale: row.stale, match: row.same_delivery ? 'delivery' : 'content' } : undefined));
}

/** The delivery's state, and whether its claim is older than `staleAfterMs`; undefined when there is no row. */
export async function findDelivery(q: Queryable, eventId: string, staleAfterMs: number): Promise<KnownDelivery | undefined> {
  const [row] = await q.query(
    `SELECT event_id, state, claimed_at < now() - $2::int * interval '1 millisecond' AS stale FROM deliveries WHERE event_id = $1`,
    [eventId, staleAfterMs],
  );
  return row ? { eventId: row.event_id, state: row.state, stale: row.stale } : undefined;
}

/** Deletes the claim while it is still pending. */
export async function releaseClaim(q: Queryable, eventId: string): Promise<void> {
  await q.query(`DELETE FROM deliveries WHERE event_id = $1 AND state = 'pending'`, [eventId]);
}

/** Renews a pending claim older than `staleAfterMs`, with whether its session has a spool backlog. */
export async function takeOverStaleClaim(q: Queryable, eventId: string, staleAfterMs: number): Promise<{ backlog: boolean } | undefined> {
  // An UPDATE answers [rows, affected count] through TypeORM's query(), not the rows alone.
  const [rows]: [Array<{ backlog: boolean }>, number] = await q.query(
    `UPDATE deliveries d SET claimed_at = now()
      WHERE event_id = $1 AND state = 'pending' AND claimed_at < now() - $2::int * interval '1 millisecond'
      RETURNING EXISTS (SELECT 1 FROM spool s WHERE s.session_key = d.session_key) AS backlog`,
    [eventId, staleAfterMs],
  );
  return rows[0] ? { backlog: rows[0].backlog } : undefined;
}

/** Settles the claims still pending as produced, in one statement. */
export async function markPendingProduced(q: Queryable, eventIds: string[]): Promise<void> {
  await runPrepared(q, MARK_PENDING_PRODUCED, [eventIds]);
}

/** Settles the deliveries of webhooks published from the spool as produced, in one statement. */
export async function markSpooledProduced(q: Queryable, eventIds: string[]): Promise<void> {
  await q.query(`UPDATE deliveries SET state = 'produced' WHERE event_id = ANY($1::uuid[])`, [eventIds]);
}

/**
 * The subject's sessions: the ones named, and every one seen with its reference in deliveries or the
 * spool (webhooks of one session may lack the reference, so the named ones are kept too).
 */
export async function sessionsOfSubject(q: Queryable, subjectRef: string, named: string[]): Promise<string[]> {
  const [row] = await q.query(
    `SELECT array(SELECT session_key FROM deliveries WHERE subject_ref = $1
                  UNION SELECT session_key FROM spool WHERE subject_ref = $1
                  UNION SELECT unnest($2::text[])) AS sessions`,
    [subjectRef, named],
  );
  return row.sessions;
}

/**
 * Removes the deliveries of the subject or of any of the sessions from what can name them. Those
 * received within `guardSec` keep their dedupe keys (source + delivery id, content fingerprint, event
 * id) but lose the subject and session, so a replay of an erased webhook is still a duplicate while
 * its signed event time could pass the gateway's age check; older ones are deleted.
 */
export async function forgetDeliveriesOf(m: EntityManager, subjectRef: string | null, sessions: string[], guardSec: number): Promise<{ deleted: number; guarded: number }> {
  const [row] = await m.query(
    `WITH deleted AS (
       DELETE FROM deliveries WHERE (subject_ref = $1 OR session_key = ANY($2::text[])) AND received_at < now() - $3::int * interval '1 second' RETURNING 1),
     guarded AS (
       UPDATE deliveries SET subject_ref = NULL, session_key = 'forgotten:' || event_id
        WHERE (subject_ref = $1 OR session_key = ANY($2::text[])) AND received_at >= now() - $3::int * interval '1 second' RETURNING 1)
     SELECT (SELECT count(*) FROM deleted)::int AS deleted, (SELECT count(*) FROM guarded)::int AS guarded`,
    [subjectRef, sessions, guardSec],
  );
  return row;
}

/** Deletes the deliveries received before the time; returns how many. */
export function deleteDeliveriesReceivedBefore(m: EntityManager, before: string): Promise<number> {
  return affectedRows(m, 'DELETE FROM deliveries WHERE received_at < $1', [before]);
}
