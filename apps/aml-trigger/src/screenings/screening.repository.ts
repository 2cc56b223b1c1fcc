import type { ScreeningVerdict, ScreeningTrigger } from './screening.types';
import { preparedStatement, runPrepared } from '@compliance/persistence';

/** An EntityManager (inside a transaction) or the DataSource: both run raw SQL. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** What every step of a screening needs to know about it. */
export interface ScreeningRef {
  id: string;
  subjectRef: string;
  sessionId?: string | null;
  provider: string;
  trigger: ScreeningTrigger;
  requestedAt: string;
  traceparent?: string | null;
}

export interface ScreeningRow {
  id: string;
  subject_ref: string;
  session_id: string | null;
  provider: string;
  trigger: ScreeningTrigger;
  status: 'pending' | 'running' | 'completed' | 'failed';
  input_sealed: string | null;
  outcome: string | null;
  score: number | null;
  hits: unknown[];
  list_versions: unknown[];
  algorithm: unknown;
  thresholds: unknown;
  provider_reference: string | null;
  provider_summary: unknown;
  attempts: number;
  failure_reason: string | null;
  traceparent: string | null;
  requested_at: Date;
  completed_at: Date | null;
  erased_at: Date | null;
}

export const refOf = (row: ScreeningRow): ScreeningRef => ({
  id: row.id,
  subjectRef: row.subject_ref,
  sessionId: row.session_id,
  provider: row.provider,
  trigger: row.trigger,
  requestedAt: row.requested_at.toISOString(),
  traceparent: row.traceparent,
});

// The columns a new screening is written with, and their types for jsonb_to_recordset.
const NEW_SCREENING_COLUMNS: Array<[string, string]> = [
  ['id', 'uuid'], ['subject_ref', 'text'], ['session_id', 'text'], ['provider', 'text'], ['trigger', 'text'], ['status', 'text'],
  ['dedupe_key', 'text'], ['input_sealed', 'text'], ['list_set', 'text'], ['traceparent', 'text'], ['requested_at', 'timestamptz'],
  ['outcome', 'text'], ['score', 'double precision'], ['hits', 'jsonb'], ['list_versions', 'jsonb'], ['algorithm', 'jsonb'],
  ['thresholds', 'jsonb'], ['provider_reference', 'text'], ['provider_summary', 'jsonb'], ['attempts', 'int'], ['failure_reason', 'text'],
  ['completed_at', 'timestamptz'],
];
const SCREENING_COLUMNS = NEW_SCREENING_COLUMNS.map(([name]) => name).join(', ');
const SCREENING_RECORD = NEW_SCREENING_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');

/** A screening as first written: requested, or already finished when the screener answered in the same transaction. */
export interface NewScreening extends ScreeningRef {
  status: 'pending' | 'completed' | 'failed';
  dedupeKey?: string;
  inputSealed?: string;
  listSet?: string;
  verdict?: ScreeningVerdict;
  failureReason?: string;
  attempts: number;
  completedAt?: string;
}

/** The screenings holding any of these idempotency keys: key → screening id. */
export async function screeningIdsByDedupeKey(q: Queryable, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows: Array<{ id: string; dedupe_key: string }> = await runPrepared(q, preparedStatement('SELECT id, dedupe_key FROM screenings WHERE dedupe_key = ANY($1::text[])'), [keys]);
  return new Map(rows.map((r) => [r.dedupe_key, r.id]));
}

/**
 * Inserts screenings in one statement, each unless one with its idempotency key exists (a concurrent
 * transaction may have taken a key meanwhile); returns the ids inserted. A finished screening is
 * written as markCompleted / markFailed would leave it. Keys go in order, so concurrent transactions
 * wait on each other's keys alike.
 */
export async function insertScreenings(q: Queryable, rows: NewScreening[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const json = rows.map((r) => ({
    id: r.id,
    subject_ref: r.subjectRef,
    session_id: r.sessionId ?? null,
    provider: r.provider,
    trigger: r.trigger,
    status: r.status,
    dedupe_key: r.dedupeKey ?? null,
    input_sealed: r.inputSealed ?? null,
    list_set: r.listSet ?? null,
    traceparent: r.traceparent ?? null,
    requested_at: r.requestedAt,
    outcome: r.verdict?.outcome ?? null,
    score: r.verdict?.score ?? null,
    hits: r.verdict?.hits ?? [],
    list_versions: r.verdict?.listVersions ?? [],
    algorithm: r.verdict?.algorithm ?? null,
    thresholds: r.verdict?.thresholds ?? null,
    provider_reference: r.verdict?.providerReference ?? null,
    provider_summary: r.verdict?.providerSummary ?? null,
    attempts: r.attempts,
    failure_reason: r.failureReason ?? null,
    completed_at: r.completedAt ?? null,
  }));
  const inserted: Array<{ id: string }> = await runPrepared(q,
    preparedStatement(`INSERT INTO screenings (${SCREENING_COLUMNS})
     SELECT ${SCREENING_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${SCREENING_RECORD}) ORDER BY dedupe_key
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`),
    [JSON.stringify(json)],
  );
  return new Set(inserted.map((r) => r.id));
}



export async function markCompleted(q: Queryable, id: string, provider: string, v: ScreeningVerdict, completedAt: string): Promise<void> {
  await q.query(
    `UPDATE screenings SET status = 'completed', provider = $2, outcome = $3, score = $4, hits = $5, list_versions = $6, algorithm = $7,
       thresholds = $8, provider_reference = $9, provider_summary = $10, attempts = $11, completed_at = $12, lease_until = NULL WHERE id = $1`,
    [
      id,
      provider,
      v.outcome,
      v.score,
      JSON.stringify(v.hits),
      JSON.stringify(v.listVersions),
      JSON.stringify(v.algorithm),
      v.thresholds ? JSON.stringify(v.thresholds) : null,
      v.providerReference ?? null,
      v.providerSummary ? JSON.stringify(v.providerSummary) : null,
      v.attempts ?? 1,
      completedAt,
    ],
  );
}

export async function markFailed(q: Queryable, id: string, reason: string, attempts: number, failedAt: string): Promise<void> {
  await q.query(
    `UPDATE screenings SET status = 'failed', failure_reason = $2, attempts = $3, completed_at = $4, lease_until = NULL WHERE id = $1`,
    [id, reason, attempts, failedAt],
  );
}

/** Takes the oldest unfinished screening (or one whose worker died) for a lease; replicas skip each other's. */
export async function claimUnfinished(q: Queryable, leaseMs: number): Promise<ScreeningRow | undefined> {
  const rows = await runPrepared<ScreeningRow>(
    q,
    preparedStatement(`UPDATE screenings SET status = 'running', lease_until = now() + ($1::int * interval '1 millisecond')
     WHERE id = (SELECT id FROM screenings WHERE status = 'pending' OR (status = 'running' AND lease_until < now())
                 ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING *`),
    [leaseMs],
  );
  return rows[0];
}

export async function findScreening(q: Queryable, id: string): Promise<ScreeningRow | undefined> {
  const [row] = await q.query('SELECT * FROM screenings WHERE id = $1', [id]);
  return row;
}

export async function screeningsOfSubject(q: Queryable, subjectRef: string, limit = 100): Promise<ScreeningRow[]> {
  return q.query('SELECT * FROM screenings WHERE subject_ref = $1 ORDER BY requested_at DESC, id LIMIT $2', [subjectRef, limit]);
}

/** Locks a screening for its result; true while it is still running (a lease may have passed it on). */
export async function lockIfRunning(q: Queryable, id: string): Promise<boolean> {
  const [row]: Array<{ status: string }> = await q.query('SELECT status FROM screenings WHERE id = $1 FOR UPDATE', [id]);
  return row?.status === 'running';
}
