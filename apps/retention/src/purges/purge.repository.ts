import type { EntityManager } from 'typeorm';
import type { DataCategory } from '@compliance/contracts';
import { activeHoldCondition } from '../legal-holds/legal-hold.repository';
import type { Queryable } from '../sql';

/** A retention clock past its policy, with the policy it is past. */
export interface DueClockRow {
  unit: string;
  category: DataCategory;
  subject_ref: string | null;
  session_id: string | null;
  clock_started_at: Date;
  retention_days: number;
}

/** An unconfirmed purge past its deadline, with who confirmed it and whether its subject is held now. */
export interface OverduePurgeRow {
  purge_id: string;
  category: DataCategory;
  subject_ref: string | null;
  session_id: string | null;
  retention_days: number;
  due_at: Date;
  emitted_at: Date;
  confirmed: string[];
  held: boolean;
}

/**
 * Data past its policy: one purge per (session or subject, category) and clock start, never while
 * the subject is under a legal hold, never for an indefinite policy. Oldest clocks first.
 */
const DUE_SQL = `
  SELECT c.unit, c.category, c.subject_ref, c.session_id, c.clock_started_at, p.retention_days
  FROM retention_clocks c JOIN retention_policies p ON p.category = c.category
  WHERE c.clock_started_at IS NOT NULL AND p.retention_days IS NOT NULL
    AND c.clock_started_at + p.retention_days * interval '1 day' <= $1
    AND NOT EXISTS (SELECT 1 FROM purges x WHERE x.unit = c.unit AND x.category = c.category AND x.clock_started_at >= c.clock_started_at)
    AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.subject_ref = c.subject_ref AND ${activeHoldCondition('$1')})
  ORDER BY c.clock_started_at LIMIT $2`;

/** Up to `limit` clocks due at `now` and not purged yet. */
export async function dueClocks(q: Queryable, now: Date, limit: number): Promise<DueClockRow[]> {
  return q.query(DUE_SQL, [now, limit]);
}

export interface NewPurge {
  purgeId: string;
  unit: string;
  category: DataCategory;
  subjectRef: string | null;
  sessionId: string | null;
  clockStartedAt: Date;
  retentionDays: number;
  dueAt: Date;
  emittedAt: Date;
}

/** False when this clock start already has its purge (a unique key: concurrent sweeps emit each once). */
export async function insertPurge(m: EntityManager, p: NewPurge): Promise<boolean> {
  const inserted: unknown[] = await m.query(
    `INSERT INTO purges (purge_id, unit, category, subject_ref, session_id, clock_started_at, retention_days, due_at, emitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING 1`,
    [p.purgeId, p.unit, p.category, p.subjectRef, p.sessionId, p.clockStartedAt, p.retentionDays, p.dueAt, p.emittedAt],
  );
  return inserted.length > 0;
}

/**
 * Purges emitted at or before `cutoff`, neither complete nor alerted yet, a hundred at most, locked
 * (another replica's are skipped); `held` says whether a legal hold is in force at `now`.
 */
export async function lockOverduePurges(m: EntityManager, now: Date, cutoff: Date): Promise<OverduePurgeRow[]> {
  return m.query<OverduePurgeRow[]>(
    `SELECT p.purge_id, p.category, p.subject_ref, p.session_id, p.retention_days, p.due_at, p.emitted_at,
            ARRAY(SELECT c.service FROM purge_confirmations c WHERE c.purge_id = p.purge_id) AS confirmed,
            EXISTS (SELECT 1 FROM legal_holds h WHERE h.subject_ref = p.subject_ref AND ${activeHoldCondition('$1')}) AS held
       FROM purges p
      WHERE p.completed_at IS NULL AND p.overdue_alerted_at IS NULL AND p.emitted_at <= $2
      ORDER BY p.emitted_at LIMIT 100 FOR UPDATE OF p SKIP LOCKED`,
    [now, cutoff],
  );
}

/** The purge's alert, and when it was sent again (null: it was not). */
export async function markOverdueAlerted(m: EntityManager, purgeId: string, alertId: string, at: Date, resentAt: Date | null): Promise<void> {
  await m.query('UPDATE purges SET overdue_alert_id = $2, overdue_alerted_at = $3, resent_at = $4 WHERE purge_id = $1', [purgeId, alertId, at, resentAt]);
}

export async function purgeCategory(q: Queryable, purgeId: string): Promise<DataCategory | undefined> {
  const [row]: Array<{ category: DataCategory }> = await q.query('SELECT category FROM purges WHERE purge_id = $1', [purgeId]);
  return row?.category;
}

export interface NewPurgeConfirmation {
  purgeId: string;
  service: string;
  counts: Record<string, number>;
  completedAt: string;
}

/** The first confirmation of a service counts; a repeat is ignored. */
export async function insertPurgeConfirmation(m: EntityManager, c: NewPurgeConfirmation): Promise<void> {
  await m.query(
    'INSERT INTO purge_confirmations (purge_id, service, counts, completed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [c.purgeId, c.service, JSON.stringify(c.counts), c.completedAt],
  );
}

/** Completes the purge at `completedAt` once every one of `owners` has confirmed it (and it is not complete yet). */
export async function completeIfConfirmed(m: EntityManager, purgeId: string, completedAt: string, owners: readonly string[]): Promise<void> {
  await m.query(
    `UPDATE purges SET completed_at = $2 WHERE purge_id = $1 AND completed_at IS NULL
       AND (SELECT count(*) FROM purge_confirmations WHERE purge_id = $1 AND service = ANY($3)) = cardinality($3::text[])`,
    [purgeId, completedAt, owners],
  );
}
