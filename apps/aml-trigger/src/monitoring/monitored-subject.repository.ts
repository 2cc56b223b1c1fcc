import type { Queryable } from '../screenings/screening.repository';
import { preparedStatement, runPrepared } from '@compliance/persistence';

export interface MonitoredSubjectRow {
  subject_ref: string;
  identity_sealed: string;
  identity_digest: string;
  latest_session_id: string | null;
  screened_list_set: string | null;
}

export const subjectSealContext = (subjectRef: string) => `monitored_subject:${subjectRef}`;

export interface VerifiedIdentity {
  subjectRef: string;
  sessionId: string;
  identitySealed: string;
  identityDigest: string;
  /** The provider's event time of the verification. */
  verifiedAt: string;
}

/**
 * Keeps each subject's latest verified identity, from verifications in the order they were consumed.
 * An older verification arriving late (out of order) does not overwrite a newer one: the provider's
 * event time decides, and at equal times the later one. So the row becomes the newest of the list
 * unless the stored one is newer still, exactly as applying them one by one would leave it. With
 * `screenedListSet` (an inline screener screened each identity in the same transaction), an updated
 * row also records that version set as screened.
 */
export async function upsertMonitoredSubjects(q: Queryable, verified: VerifiedIdentity[], screenedListSet: string | null): Promise<void> {
  if (verified.length === 0) return;
  // DISTINCT ON picks each subject's newest (Postgres compares the times, to the microsecond, and
  // rejects a bad one as the single-row statement did); rows go in subject order, so concurrent
  // transactions lock subjects in the same order.
  await runPrepared(q,
    preparedStatement(`INSERT INTO monitored_subjects (subject_ref, identity_sealed, identity_digest, latest_session_id, last_verified_at, screened_list_set, last_screened_at)
     SELECT DISTINCT ON (s) s, sealed, digest, session, at, $6::text, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS x(s, sealed, digest, session, at, n)
     ORDER BY s, at DESC, n DESC
     ON CONFLICT (subject_ref) DO UPDATE SET identity_sealed = EXCLUDED.identity_sealed, identity_digest = EXCLUDED.identity_digest,
       latest_session_id = EXCLUDED.latest_session_id, last_verified_at = EXCLUDED.last_verified_at,
       screened_list_set = coalesce(EXCLUDED.screened_list_set, monitored_subjects.screened_list_set),
       last_screened_at = coalesce(EXCLUDED.last_screened_at, monitored_subjects.last_screened_at)
     WHERE monitored_subjects.last_verified_at <= EXCLUDED.last_verified_at`),
    [
      verified.map((v) => v.subjectRef),
      verified.map((v) => v.identitySealed),
      verified.map((v) => v.identityDigest),
      verified.map((v) => v.sessionId),
      verified.map((v) => v.verifiedAt),
      screenedListSet,
    ],
  );
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
