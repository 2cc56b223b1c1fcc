import { AuditEntryTypes } from '../chain/audit-entry';
import type { Queryable } from '../chain/chain.repository';
import type { EntryFilterDto } from './entries.dto';

/** An entry as its reads return it: the chain row with its data joined (salt and data null once redacted). */
export interface EntryRow {
  sequence: string;
  event_id: string;
  type: string;
  source: string;
  subject_ref: string | null;
  session_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
  data_hash: string;
  prev_hash: string;
  hash: string;
  trace_id: string | null;
  redacted_at: Date | null;
  salt: string | null;
  data: string | null;
}

/** The columns every read of entries selects (data joined, absent once redacted). */
const ENTRY_COLUMNS = `e.sequence, e.event_id, e.type, e.source, e.subject_ref, e.session_id, e.occurred_at, e.recorded_at,
  e.data_hash, e.prev_hash, e.hash, e.trace_id, e.redacted_at, d.salt, d.data`;
const ENTRY_FROM = 'audit_entry e LEFT JOIN audit_entry_data d ON d.sequence = e.sequence';

/** Builds the WHERE clause of a filter; parameters are appended to `params`. */
function filterClause(f: EntryFilterDto, params: unknown[]): string {
  const where: string[] = [];
  const add = (sqlFor: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sqlFor(params.length));
  };
  if (f.subjectRef) add((n) => `e.subject_ref = $${n}`, f.subjectRef);
  if (f.sessionId) add((n) => `e.session_id = $${n}`, f.sessionId);
  if (f.type?.endsWith('.*')) add((n) => `e.type LIKE $${n}`, `${f.type.slice(0, -1).replace(/_/g, '\\_')}%`);
  else if (f.type) add((n) => `e.type = $${n}`, f.type);
  if (f.from) add((n) => `e.occurred_at >= $${n}`, f.from);
  if (f.to) add((n) => `e.occurred_at < $${n}`, f.to);
  return where.length ? where.join(' AND ') : 'TRUE';
}

/** Up to `limit` entries matching the filter after sequence `after`, in chain order (keyset on the sequence). */
export function entriesAfter(q: Queryable, filter: EntryFilterDto, after: number, limit: number): Promise<EntryRow[]> {
  const params: unknown[] = [after, limit];
  const where = filterClause(filter, params);
  return q.query(`SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE e.sequence > $1 AND ${where} ORDER BY e.sequence LIMIT $2`, params);
}

// Steps that happened at the same instant (a webhook and the status it carried share the
// provider's event time) are shown in the order the flow runs them: gateway to retention.
const STAGE = `CASE
  WHEN e.type LIKE 'webhook.%' THEN 1
  WHEN e.type LIKE 'kyc.%' THEN 2
  WHEN e.type LIKE 'aml.%' THEN 3
  WHEN e.type LIKE 'compliance.%' THEN 4
  WHEN e.type LIKE 'retention.%' THEN 5
  ELSE 6 END`;

/** Up to `limit` entries of the session, in the order they happened. */
export function sessionEntries(q: Queryable, sessionId: string, limit: number): Promise<EntryRow[]> {
  return q.query(`SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE e.session_id = $1 ORDER BY e.occurred_at, ${STAGE}, e.sequence LIMIT $2`, [sessionId, limit]);
}

/** The subject of the session's latest entry that names one; undefined when the session has no entries. */
export async function subjectOfSession(q: Queryable, sessionId: string): Promise<{ subjectRef: string | null } | undefined> {
  const [row]: Array<{ subject_ref: string | null }> = await q.query(
    'SELECT subject_ref FROM audit_entry WHERE session_id = $1 ORDER BY (subject_ref IS NULL), sequence DESC LIMIT 1',
    [sessionId],
  );
  return row ? { subjectRef: row.subject_ref } : undefined;
}

/** A subject's entries, as far as `upto` in the chain (all of them when null). */
export interface SubjectUpTo {
  subjectRef: string;
  upto: number | null;
}

// The sessions the trail links to each subject (each as far as its command's place in the chain).
const SESSIONS_SQL = `
SELECT r.n::int AS n, array_agg(DISTINCT e.session_id) AS sessions
FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS r(subject_ref, upto, n)
JOIN audit_entry e ON e.subject_ref = r.subject_ref AND (r.upto IS NULL OR e.sequence <= r.upto)
WHERE e.session_id IS NOT NULL
GROUP BY r.n`;

/** For each subject (by its index in the list) the trail links to sessions, those sessions, in one statement. */
export async function linkedSessions(q: Queryable, subjects: SubjectUpTo[]): Promise<Map<number, string[]>> {
  if (subjects.length === 0) return new Map();
  const rows: Array<{ n: number; sessions: string[] }> = await q.query(SESSIONS_SQL, [subjects.map((s) => s.subjectRef), subjects.map((s) => s.upto)]);
  return new Map(rows.map(({ n, sessions }) => [n - 1, sessions]));
}

/** What one command redacts: the entries of a subject, of sessions, or that occurred before a time, chained up to `upto`. */
export interface EntryRedaction {
  /** The id of the command's event, stamped on what it redacts. */
  byEvent: string;
  subjectRef: string | null;
  sessionIds: string[];
  before: string | null;
  upto: number | null;
}

/** The retention protocol's own entries carry no personal data and are the proof erasure happened: they stay. */
const KEPT = `e.type NOT LIKE 'retention.%' AND e.type <> '${AuditEntryTypes.DataRedacted}'`;

/**
 * Every command's redaction in one statement: an entry's data goes once, credited to the first
 * command (in list order) that reaches it, as if the commands had run one after the other.
 */
const REDACT_SQL = `
WITH req AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[]) WITH ORDINALITY AS r(by_event, subject_ref, before, upto, n)),
ses AS (SELECT * FROM unnest($5::bigint[], $6::text[]) AS s(n, session_id)),
reached AS (
  SELECT e.sequence, r.n, r.upto FROM req r JOIN audit_entry e ON e.subject_ref = r.subject_ref
  UNION ALL
  SELECT e.sequence, r.n, r.upto FROM ses s JOIN req r USING (n) JOIN audit_entry e ON e.session_id = s.session_id
  UNION ALL
  SELECT e.sequence, r.n, r.upto FROM req r JOIN audit_entry e ON e.occurred_at < r.before),
target AS (
  SELECT x.sequence, min(x.n) AS n FROM reached x JOIN audit_entry e ON e.sequence = x.sequence
  WHERE (x.upto IS NULL OR x.sequence <= x.upto) AND ${KEPT}
  GROUP BY x.sequence),
gone AS (DELETE FROM audit_entry_data d USING target t WHERE d.sequence = t.sequence RETURNING d.sequence, t.n),
stamped AS (
  UPDATE audit_entry e SET redacted_at = now(), redacted_by = r.by_event
  FROM gone g JOIN req r ON r.n = g.n WHERE e.sequence = g.sequence RETURNING g.n)
SELECT r.n::int AS n, (SELECT count(*) FROM stamped s WHERE s.n = r.n)::int AS redacted FROM req r ORDER BY r.n`;

/**
 * Deletes the data rows every redaction reaches and stamps their entries redacted, in one statement;
 * returns how many entries each one redacted, in order. An entry's data goes once, credited to the
 * first redaction (in list order) that reaches it, as if they had run one after the other.
 */
export async function redactEntries(q: Queryable, redactions: EntryRedaction[]): Promise<number[]> {
  const sessions = redactions.flatMap((r, i) => r.sessionIds.map((id) => [i + 1, id] as const));
  const rows: Array<{ n: number; redacted: number }> = await q.query(REDACT_SQL, [
    redactions.map((r) => r.byEvent),
    redactions.map((r) => r.subjectRef),
    redactions.map((r) => r.before),
    redactions.map((r) => r.upto),
    sessions.map(([n]) => n),
    sessions.map(([, id]) => id),
  ]);
  return rows.map((r) => r.redacted);
}
