import type { Queryable } from '../screenings/screening.repository';

export interface AlertRow {
  id: string;
  kind: string;
  severity: string;
  subject_ref: string;
  session_id: string | null;
  screening_id: string | null;
  hit_keys: string[];
  summary: string;
  details: Record<string, unknown>;
  status: 'open' | 'false_positive' | 'confirmed';
  raised_at: Date;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  note: string | null;
}

export async function insertAlert(q: Queryable, a: Omit<AlertRow, 'status' | 'reviewed_by' | 'reviewed_at' | 'note'>): Promise<void> {
  await q.query(
    `INSERT INTO alerts (id, kind, severity, subject_ref, session_id, screening_id, hit_keys, summary, details, raised_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [a.id, a.kind, a.severity, a.subject_ref, a.session_id, a.screening_id, a.hit_keys, a.summary, JSON.stringify(a.details), a.raised_at],
  );
}

/**
 * Claims hits for an alert: only hits never alerted nor suppressed for this subject come back. The
 * primary key makes the claim atomic, so two screenings racing for one subject alert a hit once.
 */
export async function claimNewHits(q: Queryable, subjectRef: string, alertId: string, hitKeys: string[]): Promise<Set<string>> {
  const rows: Array<{ hit_key: string }> = await q.query(
    `INSERT INTO subject_hits (subject_ref, hit_key, state, alert_id) SELECT $1, k, 'alerted', $2 FROM unnest($3::text[]) AS k
     ON CONFLICT (subject_ref, hit_key) DO NOTHING RETURNING hit_key`,
    [subjectRef, alertId, hitKeys],
  );
  return new Set(rows.map((r) => r.hit_key));
}

export async function suppressHits(q: Queryable, subjectRef: string, alertId: string, hitKeys: string[]): Promise<void> {
  await q.query(
    `INSERT INTO subject_hits (subject_ref, hit_key, state, alert_id) SELECT $1, k, 'suppressed', $2 FROM unnest($3::text[]) AS k
     ON CONFLICT (subject_ref, hit_key) DO UPDATE SET state = 'suppressed', alert_id = EXCLUDED.alert_id, updated_at = now()`,
    [subjectRef, alertId, hitKeys],
  );
}

export async function suppressedHitKeys(q: Queryable, subjectRef: string): Promise<Set<string>> {
  const rows: Array<{ hit_key: string }> = await q.query(`SELECT hit_key FROM subject_hits WHERE subject_ref = $1 AND state = 'suppressed'`, [subjectRef]);
  return new Set(rows.map((r) => r.hit_key));
}

export async function findAlert(q: Queryable, id: string, lock = false): Promise<AlertRow | undefined> {
  const [row] = await q.query(`SELECT * FROM alerts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return row;
}

export async function recordReview(q: Queryable, id: string, status: string, reviewer: string, note: string | undefined, at: string): Promise<void> {
  await q.query('UPDATE alerts SET status = $2, reviewed_by = $3, note = $4, reviewed_at = $5 WHERE id = $1', [id, status, reviewer, note ?? null, at]);
}
