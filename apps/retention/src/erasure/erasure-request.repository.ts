import type { EntityManager } from 'typeorm';
import { activeHoldCondition } from '../legal-holds/legal-hold.repository';
import type { Queryable } from '../sql';
import { OPEN_STATUSES, type ErasureStatus } from './erasure.dto';

export interface ErasureRequestRow {
  id: string;
  subject_ref: string;
  reason: string;
  status: ErasureStatus;
  legal_hold_id: string | null;
  expected_services: string[];
  session_ids: string[];
  provider_deletion: boolean;
  requested_by: string;
  requested_at: Date;
  dispatched_at: Date | null;
  finished_at: Date | null;
  overdue_alert_id: string | null;
  overdue_alerted_at: Date | null;
  /** Data keys destroyed when it was dispatched (crypto-shredding); null without a keyring. */
  keys_destroyed: number | null;
}

/** A data-holding service's answer to a request. */
export interface ErasureConfirmationRow {
  service: string;
  counts: Record<string, number>;
  completed_at: Date;
}

/** The provider's answer for one session of a request. */
export interface ProviderDeletionRow {
  session_id: string;
  outcome: 'deleted' | 'not_found' | 'failed';
  http_status: number | null;
  attempts: number;
  error: string | null;
  attempted_at: Date;
}

// Requests

export interface NewErasureRequest {
  id: string;
  subjectRef: string;
  reason: string;
  status: 'blocked_by_legal_hold' | 'in_progress';
  legalHoldId: string | null;
  expectedServices: string[];
  requestedBy: string;
  requestedAt: Date;
}

/** Written as blocked or in progress; markDispatched() records what was sent. */
export async function insertRequest(m: EntityManager, r: NewErasureRequest): Promise<void> {
  await m.query(
    `INSERT INTO erasure_requests (id, subject_ref, reason, status, legal_hold_id, expected_services, requested_by, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [r.id, r.subjectRef, r.reason, r.status, r.legalHoldId, r.expectedServices, r.requestedBy, r.requestedAt],
  );
}

/** The subject's open request (blocked or in progress): a unique index allows one. */
export async function openRequestOf(m: EntityManager, subjectRef: string): Promise<ErasureRequestRow | undefined> {
  const [row] = await m.query<ErasureRequestRow[]>('SELECT * FROM erasure_requests WHERE subject_ref = $1 AND status = ANY($2)', [subjectRef, OPEN_STATUSES]);
  return row;
}

/** The id of the subject's request already sent to the services, if any. */
export async function dispatchedRequestOf(q: Queryable, subjectRef: string): Promise<string | undefined> {
  const [row]: Array<{ id: string }> = await q.query(`SELECT id FROM erasure_requests WHERE subject_ref = $1 AND status = 'in_progress'`, [subjectRef]);
  return row?.id;
}

export async function findRequest(q: Queryable, id: string): Promise<ErasureRequestRow | undefined> {
  const [row] = await q.query('SELECT * FROM erasure_requests WHERE id = $1', [id]);
  return row;
}

export async function requestExists(q: Queryable, id: string): Promise<boolean> {
  const [row] = await q.query('SELECT 1 FROM erasure_requests WHERE id = $1', [id]);
  return !!row;
}

/** The request, locked until the transaction ends: serialises withdrawal, confirmations and provider outcomes. */
export async function lockRequest(m: EntityManager, id: string): Promise<ErasureRequestRow | undefined> {
  const [row] = await m.query<ErasureRequestRow[]>('SELECT * FROM erasure_requests WHERE id = $1 FOR UPDATE', [id]);
  return row;
}

/** The request locked, if it is still blocked by a legal hold. */
export async function lockBlockedRequest(m: EntityManager, id: string): Promise<ErasureRequestRow | undefined> {
  const [row] = await m.query<ErasureRequestRow[]>(`SELECT * FROM erasure_requests WHERE id = $1 AND status = 'blocked_by_legal_hold' FOR UPDATE`, [id]);
  return row;
}

/** Blocked requests whose hold is no longer in force at `at` (of one subject, or all), oldest first, a hundred at most. */
export async function blockedByEndedHold(q: Queryable, at: Date, subjectRef?: string): Promise<Array<{ id: string; subject_ref: string }>> {
  return q.query(
    `SELECT r.id, r.subject_ref FROM erasure_requests r JOIN legal_holds h ON h.id = r.legal_hold_id
     WHERE r.status = 'blocked_by_legal_hold' AND NOT (${activeHoldCondition('$1')}) AND ($2::text IS NULL OR r.subject_ref = $2)
     ORDER BY r.requested_at LIMIT 100`,
    [at, subjectRef ?? null],
  );
}

/** Points a blocked request at the hold now blocking it. */
export async function setBlockingHold(m: EntityManager, id: string, legalHoldId: string): Promise<void> {
  await m.query('UPDATE erasure_requests SET legal_hold_id = $2 WHERE id = $1', [id, legalHoldId]);
}

export async function markDispatched(m: EntityManager, id: string, sessionIds: string[], dispatchedAt: Date, providerDeletion: boolean, keysDestroyed: number | null): Promise<void> {
  await m.query(
    `UPDATE erasure_requests SET status = 'in_progress', session_ids = $2, dispatched_at = $3, provider_deletion = $4, keys_destroyed = $5 WHERE id = $1`,
    [id, sessionIds, dispatchedAt, providerDeletion, keysDestroyed],
  );
}

export async function markWithdrawn(m: EntityManager, id: string, at: Date): Promise<void> {
  await m.query(`UPDATE erasure_requests SET status = 'withdrawn', finished_at = $2 WHERE id = $1`, [id, at]);
}

export async function markFinished(m: EntityManager, id: string, at: Date): Promise<void> {
  await m.query(`UPDATE erasure_requests SET status = 'finished', finished_at = $2 WHERE id = $1`, [id, at]);
}

/** Requests dispatched at or before `cutoff`, not finished and not alerted yet, locked; another replica's are skipped. */
export async function lockOverdueRequests(m: EntityManager, cutoff: Date): Promise<ErasureRequestRow[]> {
  return m.query<ErasureRequestRow[]>(
    `SELECT * FROM erasure_requests WHERE status = 'in_progress' AND overdue_alerted_at IS NULL AND dispatched_at <= $1
     ORDER BY dispatched_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
    [cutoff],
  );
}

export async function markOverdueAlerted(m: EntityManager, id: string, alertId: string, at: Date): Promise<void> {
  await m.query('UPDATE erasure_requests SET overdue_alert_id = $2, overdue_alerted_at = $3 WHERE id = $1', [id, alertId, at]);
}

// Confirmations of the data-holding services

export interface NewErasureConfirmation {
  requestId: string;
  service: string;
  counts: Record<string, number>;
  completedAt: string;
}

/** The first confirmation of a service counts; a repeat is ignored. */
export async function insertConfirmation(m: EntityManager, c: NewErasureConfirmation): Promise<void> {
  await m.query(
    'INSERT INTO erasure_confirmations (request_id, service, counts, completed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [c.requestId, c.service, JSON.stringify(c.counts), c.completedAt],
  );
}

/** A request's confirmations, in no particular order. */
export async function confirmationsOf(q: Queryable, requestId: string): Promise<ErasureConfirmationRow[]> {
  return q.query('SELECT service, counts, completed_at FROM erasure_confirmations WHERE request_id = $1', [requestId]);
}

/** A request's confirmations by service: the order the finished event lists them in. */
export async function confirmationsByService(q: Queryable, requestId: string): Promise<ErasureConfirmationRow[]> {
  return q.query('SELECT service, counts, completed_at FROM erasure_confirmations WHERE request_id = $1 ORDER BY service', [requestId]);
}

export async function confirmedServices(q: Queryable, requestId: string): Promise<string[]> {
  const rows: Array<{ service: string }> = await q.query('SELECT service FROM erasure_confirmations WHERE request_id = $1', [requestId]);
  return rows.map((r) => r.service);
}

// Deletions of the provider's copies

/** A session of a dispatched request whose provider copy is still to be deleted. */
export interface PendingProviderDeletion {
  request_id: string;
  session_id: string;
}

/** Sessions without an outcome, of requests in progress with provider deletion, oldest dispatch first, twenty at most. */
export async function pendingProviderDeletions(q: Queryable): Promise<PendingProviderDeletion[]> {
  return q.query(
    `SELECT r.id AS request_id, s.session_id FROM erasure_requests r CROSS JOIN LATERAL unnest(r.session_ids) AS s(session_id)
     WHERE r.status = 'in_progress' AND r.provider_deletion
       AND NOT EXISTS (SELECT 1 FROM provider_deletions p WHERE p.request_id = r.id AND p.session_id = s.session_id)
     ORDER BY r.dispatched_at LIMIT 20`,
  );
}

export interface NewProviderDeletion {
  requestId: string;
  sessionId: string;
  outcome: ProviderDeletionRow['outcome'];
  httpStatus: number | null;
  attempts: number;
  error: string | null;
  attemptedAt: Date;
}

/** The first outcome of a session counts (a replica may have called the provider too). */
export async function insertProviderDeletion(m: EntityManager, d: NewProviderDeletion): Promise<void> {
  await m.query(
    `INSERT INTO provider_deletions (request_id, session_id, outcome, http_status, attempts, error, attempted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [d.requestId, d.sessionId, d.outcome, d.httpStatus, d.attempts, d.error, d.attemptedAt],
  );
}

/** A request's provider outcomes, by session. */
export async function providerDeletionsOf(q: Queryable, requestId: string): Promise<ProviderDeletionRow[]> {
  return q.query('SELECT * FROM provider_deletions WHERE request_id = $1 ORDER BY session_id', [requestId]);
}

export async function providerDeletionCount(q: Queryable, requestId: string): Promise<number> {
  const [{ n }]: Array<{ n: number }> = await q.query('SELECT count(*)::int AS n FROM provider_deletions WHERE request_id = $1', [requestId]);
  return n;
}
