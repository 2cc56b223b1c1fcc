import type { EntityManager } from 'typeorm';
import { affectedRows } from '@compliance/messaging';
import type { InboundWebhook } from '../ingest/inbound-webhook';
import type { Queryable } from '../ingest/delivery.repository';

export interface SpoolRow {
  id: string;
  event_id: string;
  session_key: string;
  value: string;
  headers: Record<string, string>;
}

export interface SpoolDepth {
  depth: number;
  oldestSpooledAt?: string;
}

/**
 * Spools the webhook, held for `holdMs` when above 0, and marks its delivery spooled, in one statement.
 * A webhook already spooled is not spooled twice.
 */
export async function spoolWebhook(q: Queryable, webhook: InboundWebhook, holdMs: number): Promise<void> {
  await q.query(
    `WITH spooled AS (
       INSERT INTO spool (event_id, session_key, subject_ref, value, headers, received_at, hold_until)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int > 0 THEN now() + $7::int * interval '1 millisecond' END)
       ON CONFLICT (event_id) DO NOTHING RETURNING 1)
     UPDATE deliveries SET state = 'spooled' WHERE event_id = $1`,
    [webhook.eventId, webhook.key, webhook.subjectRef ?? null, webhook.record.value, JSON.stringify(webhook.record.headers), webhook.receivedAt, holdMs],
  );
}

/** Deletes the spooled row while it is still held. */
export async function deleteHeld(q: Queryable, eventId: string): Promise<void> {
  await q.query('DELETE FROM spool WHERE event_id = $1 AND hold_until IS NOT NULL', [eventId]);
}

export async function releaseHold(q: Queryable, eventId: string): Promise<void> {
  await q.query('UPDATE spool SET hold_until = NULL WHERE event_id = $1', [eventId]);
}

export async function spoolDepth(q: Queryable): Promise<SpoolDepth> {
  const [row] = await q.query('SELECT count(*)::int AS depth, min(spooled_at) AS oldest FROM spool');
  return { depth: row.depth, oldestSpooledAt: row.oldest ? new Date(row.oldest).toISOString() : undefined };
}

/** Takes the named lock for the rest of the transaction; false, without waiting, when another has it. */
export async function tryDrainLock(m: EntityManager, lockName: string): Promise<boolean> {
  const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [lockName]);
  return locked;
}

/** Locks the oldest rows that may be published: a session's rows stop at its first held one. */
export function lockPublishable(m: EntityManager, limit: number): Promise<SpoolRow[]> {
  return m.query(
    `SELECT s.id, s.event_id, s.session_key, s.value, s.headers FROM spool s
      WHERE NOT EXISTS (SELECT 1 FROM spool h WHERE h.session_key = s.session_key AND h.id <= s.id AND h.hold_until > now())
      ORDER BY s.id LIMIT $1 FOR UPDATE OF s`,
    [limit],
  );
}

export async function deleteSpooled(q: Queryable, ids: string[]): Promise<void> {
  await q.query('DELETE FROM spool WHERE id = ANY($1::bigint[])', [ids]);
}

/** Deletes the spooled webhooks of the subject or of any of the sessions; returns how many. */
export function deleteSpooledOf(m: EntityManager, subjectRef: string | null, sessions: string[]): Promise<number> {
  return affectedRows(m, 'DELETE FROM spool WHERE (subject_ref = $1 OR session_key = ANY($2::text[]))', [subjectRef, sessions]);
}

/** Deletes the webhooks spooled with a receipt time before the given one; returns how many. */
export function deleteSpooledReceivedBefore(m: EntityManager, before: string): Promise<number> {
  return affectedRows(m, 'DELETE FROM spool WHERE received_at < $1', [before]);
}

/** The spool's database answers a statement (rejects when it does not). */
export async function ping(q: Queryable): Promise<void> {
  await q.query('SELECT 1');
}
