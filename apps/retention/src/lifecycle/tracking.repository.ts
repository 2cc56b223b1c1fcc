import type { EntityManager } from 'typeorm';
import type { DataCategory, KycStatus } from '@compliance/contracts';
import type { Queryable } from '../sql';
import type { RetentionClock, TrackedSession, TrackingScope } from './retention-tracking';
import { preparedStatement, runPrepared } from '@compliance/persistence';

interface ScopeRow {
  kind: 'session' | 'clock';
  unit: string;
  category: DataCategory | null;
  subject_ref: string | null;
  session_id: string | null;
  status: KycStatus | null;
  at: Date | null;
  decided_at: Date | null;
}

/**
 * Both tables' rows of a scope in one round trip, locked in one order (sessions by id, then clocks
 * by unit and category) so that concurrent transactions do not deadlock on them. Clocks are read by
 * unit (the primary key) and, for the subjects' screening clocks, by subject (indexed).
 */
const LOAD_SQL = preparedStatement(`
  WITH s AS (
    SELECT session_id, subject_ref, status, status_at, decided_at FROM tracked_sessions
     WHERE session_id = ANY($1) ORDER BY session_id FOR UPDATE),
  c AS (
    SELECT unit, category, subject_ref, session_id, clock_started_at FROM retention_clocks
     WHERE unit = ANY($2) OR (category = 'screening_data' AND subject_ref = ANY($3)) ORDER BY unit, category FOR UPDATE)
  SELECT 'session' AS kind, session_id AS unit, NULL::text AS category, subject_ref, session_id, status, status_at AS at, decided_at FROM s
  UNION ALL
  SELECT 'clock', unit, category, subject_ref, session_id, NULL, clock_started_at, NULL FROM c`);

/**
 * Every changed row of both tables in one statement. The rows read are locked, so their new state
 * replaces the old; a row that did not exist may have been created meanwhile by another transaction
 * (nothing locks a missing row), and it is merged as the event statements always merged: a subject
 * once known stays known, a screening clock only moves forward.
 */
const SAVE_SQL = preparedStatement(`
  WITH sessions AS (
    INSERT INTO tracked_sessions AS t (session_id, subject_ref, status, status_at, decided_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
    ON CONFLICT (session_id) DO UPDATE SET subject_ref = COALESCE(EXCLUDED.subject_ref, t.subject_ref), status = EXCLUDED.status,
      status_at = EXCLUDED.status_at, decided_at = EXCLUDED.decided_at)
  INSERT INTO retention_clocks AS t (unit, category, subject_ref, session_id, clock_started_at)
  SELECT * FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
  ON CONFLICT (unit, category) DO UPDATE SET subject_ref = COALESCE(EXCLUDED.subject_ref, t.subject_ref),
    clock_started_at = CASE WHEN t.category = 'screening_data' THEN GREATEST(t.clock_started_at, EXCLUDED.clock_started_at) ELSE EXCLUDED.clock_started_at END`);

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** Reads (and locks) what exists of a scope: one statement, whatever its size. */
export async function loadScope(m: EntityManager, scope: TrackingScope): Promise<{ sessions: TrackedSession[]; clocks: RetentionClock[] }> {
  const rows = await runPrepared<ScopeRow>(m, LOAD_SQL, [scope.sessions, scope.units, scope.subjects]);
  const sessions: TrackedSession[] = [];
  const clocks: RetentionClock[] = [];
  for (const r of rows) {
    if (r.kind === 'session') {
      sessions.push({ sessionId: r.unit, subjectRef: r.subject_ref, status: r.status as KycStatus, statusAt: r.at as Date, decidedAt: r.decided_at });
    } else {
      clocks.push({ unit: r.unit, category: r.category as DataCategory, subjectRef: r.subject_ref, sessionId: r.session_id, clockStartedAt: r.at });
    }
  }
  return { sessions, clocks };
}

export async function saveTracking(m: EntityManager, changes: { sessions: TrackedSession[]; clocks: RetentionClock[] }): Promise<void> {
  const { sessions, clocks } = changes;
  if (sessions.length === 0 && clocks.length === 0) return;
  await runPrepared(m, SAVE_SQL, [
    sessions.map((s) => s.sessionId),
    sessions.map((s) => s.subjectRef),
    sessions.map((s) => s.status),
    sessions.map((s) => iso(s.statusAt)),
    sessions.map((s) => iso(s.decidedAt)),
    clocks.map((c) => c.unit),
    clocks.map((c) => c.category),
    clocks.map((c) => c.subjectRef),
    clocks.map((c) => c.sessionId),
    clocks.map((c) => iso(c.clockStartedAt)),
  ]);
}

/** Session ids known for a subject (from its clocks and its tracked sessions), in order. */
export async function sessionsOfSubject(q: Queryable, subjectRef: string): Promise<string[]> {
  const rows: Array<{ session_id: string }> = await q.query(
    `SELECT session_id FROM retention_clocks WHERE subject_ref = $1 AND session_id IS NOT NULL
     UNION SELECT session_id FROM tracked_sessions WHERE subject_ref = $1 ORDER BY session_id`,
    [subjectRef],
  );
  return rows.map((r) => r.session_id);
}

/** Every clock of these units (a clock's session is always its unit, so session ids find all of theirs). */
export async function deleteClocks(m: EntityManager, units: string[]): Promise<void> {
  await m.query('DELETE FROM retention_clocks WHERE unit = ANY($1)', [units]);
}

export async function deleteTrackedSessions(m: EntityManager, sessionIds: string[]): Promise<void> {
  await m.query('DELETE FROM tracked_sessions WHERE session_id = ANY($1)', [sessionIds]);
}

/** A subject's clock with its policy and the latest purge of it (null columns when none). */
export interface SubjectClockRow {
  category: DataCategory;
  session_id: string | null;
  clock_started_at: Date | null;
  retention_days: number | null;
  purge_id: string | null;
  emitted_at: Date | null;
  completed_at: Date | null;
  confirmed_by: string[] | null;
}

/** The subject's clocks for the subject view: by session (data of no session last), then category. */
export async function clocksOfSubject(q: Queryable, subjectRef: string): Promise<SubjectClockRow[]> {
  return q.query(
    `SELECT c.category, c.session_id, c.clock_started_at, p.retention_days, pu.purge_id, pu.emitted_at, pu.completed_at,
       (SELECT array_agg(pc.service ORDER BY pc.service) FROM purge_confirmations pc WHERE pc.purge_id = pu.purge_id) AS confirmed_by
     FROM retention_clocks c JOIN retention_policies p ON p.category = c.category
     LEFT JOIN LATERAL (SELECT * FROM purges x WHERE x.unit = c.unit AND x.category = c.category ORDER BY x.clock_started_at DESC LIMIT 1) pu ON true
     WHERE c.subject_ref = $1 ORDER BY c.session_id NULLS LAST, c.category`,
    [subjectRef],
  );
}
