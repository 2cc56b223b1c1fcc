import type { Queryable } from '../screenings/screening.repository';

export interface MonitoredSubjectRow {
  subject_ref: string;
  identity_sealed: string;
  identity_digest: string;
  latest_session_id: string | null;
  screened_list_set: string | null;
}

export const subjectSealContext = (subjectRef: string) => `monitored_subject:${subjectRef}`;

/**
 * Keeps the subject's latest verified identity. An older verification arriving late (out of order)
 * does not overwrite a newer one: the provider's event time decides.
 */
export async function upsertMonitoredSubject(
  q: Queryable,
  s: { subjectRef: string; sessionId: string; identitySealed: string; identityDigest: string; verifiedAt: string },
): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO monitored_subjects (subject_ref, identity_sealed, identity_digest, latest_session_id, last_verified_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (subject_ref) DO UPDATE SET identity_sealed = EXCLUDED.identity_sealed, identity_digest = EXCLUDED.identity_digest,
       latest_session_id = EXCLUDED.latest_session_id, last_verified_at = EXCLUDED.last_verified_at
     WHERE monitored_subjects.last_verified_at <= EXCLUDED.last_verified_at
     RETURNING subject_ref`,
    [s.subjectRef, s.identitySealed, s.identityDigest, s.sessionId, s.verifiedAt],
  );
  return rows.length > 0;
}

/** Records which list version set the subject's current identity was screened against. */
export async function markScreened(q: Queryable, subjectRef: string, listSet: string, identityDigest: string): Promise<void> {
  await q.query(
    'UPDATE monitored_subjects SET screened_list_set = $2, last_screened_at = now() WHERE subject_ref = $1 AND identity_digest = $3',
    [subjectRef, listSet, identityDigest],
  );
}

/** Subjects not yet screened against `listSet`, in pages (keyset on subject_ref). */
export async function staleSubjects(q: Queryable, listSet: string, after: string, limit: number): Promise<string[]> {
  const rows: Array<{ subject_ref: string }> = await q.query(
    `SELECT subject_ref FROM monitored_subjects WHERE screened_list_set IS DISTINCT FROM $1 AND subject_ref > $2 ORDER BY subject_ref LIMIT $3`,
    [listSet, after, limit],
  );
  return rows.map((r) => r.subject_ref);
}

/** Locks one stale subject for re-screening; another replica already on it is skipped, not waited for. */
export async function lockStaleSubject(q: Queryable, subjectRef: string, listSet: string): Promise<MonitoredSubjectRow | undefined> {
  const [row] = await q.query(
    `SELECT * FROM monitored_subjects WHERE subject_ref = $1 AND screened_list_set IS DISTINCT FROM $2 FOR UPDATE SKIP LOCKED`,
    [subjectRef, listSet],
  );
  return row;
}

export async function isMonitored(q: Queryable, subjectRef: string): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM monitored_subjects WHERE subject_ref = $1', [subjectRef]);
  return rows.length > 0;
}
