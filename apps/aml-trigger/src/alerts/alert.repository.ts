import type { Queryable } from '../screenings/screening.repository';
import { preparedStatement, runPrepared } from '@compliance/persistence';

/** The kinds of alert this service raises (about a screening); the queue filters and counts by them. */
export const AML_ALERT_KINDS = ['aml_match', 'aml_review', 'aml_screening_failed'] as const;
export type AmlAlertKind = (typeof AML_ALERT_KINDS)[number];

export interface AlertRow {
  id: string;
  kind: AmlAlertKind;
  severity: string;
  subject_ref: string;
  session_id: string | null;
  screening_id: string | null;
  hit_keys: string[];
  summary: string;
  details: Record<string, unknown>;
  status: AlertStatus;
  raised_at: Date;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  note: string | null;
  proposed_by: string | null;
  proposed_at: Date | null;
  proposal_note: string | null;
}

/** `false_positive_proposed`: a sanctions match an analyst proposed to clear, waiting for a second reviewer. */
export type AlertStatus = 'open' | 'false_positive_proposed' | 'false_positive' | 'confirmed';

/** Every status, in the order of a review. */
export const ALERT_STATUSES: AlertStatus[] = ['open', 'false_positive_proposed', 'false_positive', 'confirmed'];

/** Statuses a human has still to act on: never purged. */
export const UNDECIDED_STATUSES: AlertStatus[] = ['open', 'false_positive_proposed'];

export type NewAlert = Omit<AlertRow, 'status' | 'reviewed_by' | 'reviewed_at' | 'note' | 'proposed_by' | 'proposed_at' | 'proposal_note'>;

export async function insertAlerts(q: Queryable, alerts: NewAlert[]): Promise<void> {
  if (alerts.length === 0) return;
  await q.query(
    `INSERT INTO alerts (id, kind, severity, subject_ref, session_id, screening_id, hit_keys, summary, details, raised_at)
     SELECT id, kind, severity, subject_ref, session_id, screening_id, hit_keys, summary, details, raised_at
     FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, kind text, severity text, subject_ref text, session_id text, screening_id uuid,
       hit_keys text[], summary text, details jsonb, raised_at timestamptz)`,
    [JSON.stringify(alerts)],
  );
}

export interface HitClaim {
  subjectRef: string;
  hitKey: string;
  alertId: string;
}

/**
 * Claims hits for alerts: only hits never alerted nor suppressed for their subject come back, by
 * the alert that claimed them. The primary key makes the claim atomic, so two screenings racing for
 * one subject alert a hit once. Claims go in key order, so concurrent transactions lock alike.
 */
export async function claimNewHits(q: Queryable, claims: HitClaim[]): Promise<Map<string, Set<string>>> {
  const byAlert = new Map<string, Set<string>>();
  if (claims.length === 0) return byAlert;
  const sorted = [...claims].sort((a, b) => compare(a.subjectRef, b.subjectRef) || compare(a.hitKey, b.hitKey));
  const rows: Array<{ hit_key: string; alert_id: string }> = await q.query(
    `INSERT INTO subject_hits (subject_ref, hit_key, state, alert_id)
     SELECT s, k, 'alerted', a FROM unnest($1::text[], $2::text[], $3::uuid[]) WITH ORDINALITY AS x(s, k, a, n) ORDER BY n
     ON CONFLICT (subject_ref, hit_key) DO NOTHING RETURNING hit_key, alert_id`,
    [sorted.map((c) => c.subjectRef), sorted.map((c) => c.hitKey), sorted.map((c) => c.alertId)],
  );
  for (const r of rows) byAlert.set(r.alert_id, (byAlert.get(r.alert_id) ?? new Set()).add(r.hit_key));
  return byAlert;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function suppressHits(q: Queryable, subjectRef: string, alertId: string, hitKeys: string[]): Promise<void> {
  await q.query(
    `INSERT INTO subject_hits (subject_ref, hit_key, state, alert_id) SELECT $1, k, 'suppressed', $2 FROM unnest($3::text[]) AS k
     ON CONFLICT (subject_ref, hit_key) DO UPDATE SET state = 'suppressed', alert_id = EXCLUDED.alert_id, updated_at = now()`,
    [subjectRef, alertId, hitKeys],
  );
}

/** The `list/entityId` keys analysts cleared as false positives, per subject (a subject without any is absent). */
export async function suppressedHitKeys(q: Queryable, subjectRefs: string[]): Promise<Map<string, Set<string>>> {
  const bySubject = new Map<string, Set<string>>();
  if (subjectRefs.length === 0) return bySubject;
  const rows: Array<{ subject_ref: string; hit_key: string }> = await runPrepared(q,
    preparedStatement(`SELECT subject_ref, hit_key FROM subject_hits WHERE subject_ref = ANY($1::text[]) AND state = 'suppressed'`),
    [[...new Set(subjectRefs)]],
  );
  for (const r of rows) bySubject.set(r.subject_ref, (bySubject.get(r.subject_ref) ?? new Set()).add(r.hit_key));
  return bySubject;
}

export async function findAlert(q: Queryable, id: string, lock = false): Promise<AlertRow | undefined> {
  const [row] = await q.query(`SELECT * FROM alerts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return row;
}

export async function recordReview(q: Queryable, id: string, status: string, reviewer: string, note: string | undefined, at: string): Promise<void> {
  await q.query('UPDATE alerts SET status = $2, reviewed_by = $3, note = $4, reviewed_at = $5 WHERE id = $1', [id, status, reviewer, note ?? null, at]);
}

/** The first of two steps clearing a sanctions match: the proposal, its author and note. */
export async function recordProposal(q: Queryable, id: string, proposedBy: string, note: string, at: string): Promise<void> {
  await q.query(`UPDATE alerts SET status = 'false_positive_proposed', proposed_by = $2, proposal_note = $3, proposed_at = $4 WHERE id = $1`, [id, proposedBy, note, at]);
}

/** The ids of the alerts each screening raised, oldest first. */
export async function alertIdsByScreening(q: Queryable, screeningIds: string[]): Promise<Map<string, string[]>> {
  const byScreening = new Map<string, string[]>(screeningIds.map((id) => [id, []]));
  if (screeningIds.length === 0) return byScreening;
  const rows: Array<{ id: string; screening_id: string }> = await q.query(
    'SELECT id, screening_id FROM alerts WHERE screening_id = ANY($1::uuid[]) ORDER BY raised_at',
    [screeningIds],
  );
  for (const row of rows) byScreening.get(row.screening_id)?.push(row.id);
  return byScreening;
}

/** Which alerts a queue page holds: any of these statuses and kinds. */
export interface AlertQueueFilter {
  statuses: readonly AlertStatus[];
  kinds: readonly AmlAlertKind[];
}

/** Where the previous page ended: its last alert's `raised_at` (to the microsecond, UTC) and id. */
export interface AlertQueuePosition {
  raisedAt: string;
  id: string;
}

/** The columns of an alert a queue page shows (never details, hit keys or notes), and its position. */
export type AlertQueueRow = Pick<
  AlertRow,
  'id' | 'kind' | 'severity' | 'status' | 'subject_ref' | 'session_id' | 'screening_id' | 'summary' | 'raised_at' | 'reviewed_by' | 'reviewed_at' | 'proposed_by'
> & { position: string };

const QUEUE_COLUMNS = `id, kind, severity, status, subject_ref, session_id, screening_id, summary, raised_at, reviewed_by, reviewed_at, proposed_by,
  to_char(raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position`;

/**
 * One queue page, newest first (`raised_at DESC, id DESC`), after `after` (keyset, no OFFSET): one
 * branch per status and kind, each an equality prefix of the `alerts_queue (status, kind, raised_at,
 * id)` index read backwards from the position for at most `limit` rows, merged and cut to `limit`.
 * A page therefore reads at most `limit` index entries per branch, however many alerts there are.
 */
export function alertQueueQuery(filter: AlertQueueFilter, after: AlertQueuePosition | undefined, limit: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [limit];
  const param = (v: unknown) => `$${params.push(v)}`;
  const keyset = after ? ` AND (raised_at, id) < (${param(after.raisedAt)}::timestamptz, ${param(after.id)}::uuid)` : '';
  const branches = filter.statuses.flatMap((status) =>
    filter.kinds.map(
      (kind) => `SELECT ${QUEUE_COLUMNS} FROM alerts WHERE status = ${param(status)} AND kind = ${param(kind)}${keyset} ORDER BY raised_at DESC, id DESC LIMIT $1`,
    ),
  );
  const sql = branches.length === 1 ? branches[0] : `SELECT * FROM (${branches.map((b) => `(${b})`).join('\n UNION ALL ')}) page ORDER BY raised_at DESC, id DESC LIMIT $1`;
  return { sql, params };
}

export async function alertQueuePage(q: Queryable, filter: AlertQueueFilter, after: AlertQueuePosition | undefined, limit: number): Promise<AlertQueueRow[]> {
  const { sql, params } = alertQueueQuery(filter, after, limit);
  return q.query(sql, params);
}

/** How many alerts match the filter (an index-only count on the queue index where the table is vacuumed). */
export async function countAlerts(q: Queryable, filter: AlertQueueFilter): Promise<number> {
  const [row] = await q.query('SELECT count(*)::int AS n FROM alerts WHERE status = ANY($1::text[]) AND kind = ANY($2::text[])', [filter.statuses, filter.kinds]);
  return row.n;
}

/** Open alerts by kind, every kind present (0 when none). */
export async function openAlertCounts(q: Queryable): Promise<Record<AmlAlertKind, number>> {
  const rows: Array<{ kind: AmlAlertKind; n: number }> = await q.query(`SELECT kind, count(*)::int AS n FROM alerts WHERE status = 'open' GROUP BY kind`);
  const counts = Object.fromEntries(AML_ALERT_KINDS.map((k) => [k, 0])) as Record<AmlAlertKind, number>;
  for (const r of rows) if (r.kind in counts) counts[r.kind] = r.n;
  return counts;
}
