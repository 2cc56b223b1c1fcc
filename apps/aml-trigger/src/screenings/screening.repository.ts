import type { ScreeningVerdict, ScreeningTrigger } from './screening.types';

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

/** Inserts the request unless one with the same idempotency key exists; returns the id that holds it. */
export async function insertRequested(
  q: Queryable,
  ref: ScreeningRef & { dedupeKey?: string; inputSealed?: string; listSet?: string },
): Promise<{ id: string; inserted: boolean }> {
  const rows = await q.query(
    `INSERT INTO screenings (id, subject_ref, session_id, provider, trigger, status, dedupe_key, input_sealed, list_set, traceparent, requested_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [ref.id, ref.subjectRef, ref.sessionId ?? null, ref.provider, ref.trigger, ref.dedupeKey ?? null, ref.inputSealed ?? null, ref.listSet ?? null, ref.traceparent ?? null, ref.requestedAt],
  );
  if (rows.length) return { id: ref.id, inserted: true };
  const [existing] = await q.query('SELECT id FROM screenings WHERE dedupe_key = $1', [ref.dedupeKey]);
  return { id: existing.id, inserted: false };
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
  // TypeORM answers UPDATE ... RETURNING with [rows, affectedCount].
  const [rows] = await q.query(
    `UPDATE screenings SET status = 'running', lease_until = now() + ($1::int * interval '1 millisecond')
     WHERE id = (SELECT id FROM screenings WHERE status = 'pending' OR (status = 'running' AND lease_until < now())
                 ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [leaseMs],
  );
  return (rows as ScreeningRow[])[0];
}

export async function findScreening(q: Queryable, id: string): Promise<ScreeningRow | undefined> {
  const [row] = await q.query('SELECT * FROM screenings WHERE id = $1', [id]);
  return row;
}

export async function screeningsOfSubject(q: Queryable, subjectRef: string, limit = 100): Promise<ScreeningRow[]> {
  return q.query('SELECT * FROM screenings WHERE subject_ref = $1 ORDER BY requested_at DESC, id LIMIT $2', [subjectRef, limit]);
}
