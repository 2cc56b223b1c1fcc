import type { Queryable } from '../verifications/sql-rows';

export type TombstoneKind = 'subject' | 'session';

export interface TombstoneRow {
  digest: string;
  kind: TombstoneKind;
  requestId: string;
}

/** Records tombstones; one already there (an erasure repeated) stays as first written. Returns how many are new. */
export async function insertTombstones(q: Queryable, rows: TombstoneRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted: unknown[] = await q.query(
    `INSERT INTO erasure_tombstones (digest, kind, request_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (digest) DO NOTHING RETURNING 1`,
    [rows.map((r) => r.digest), rows.map((r) => r.kind), rows.map((r) => r.requestId)],
  );
  return inserted.length;
}

/** Which of `digests` are tombstones, with when they were erased. */
export async function tombstonesAmong(q: Queryable, digests: string[]): Promise<Map<string, Date>> {
  if (digests.length === 0) return new Map();
  const rows: Array<{ digest: string; erased_at: Date }> = await q.query('SELECT digest, erased_at FROM erasure_tombstones WHERE digest = ANY($1::text[])', [digests]);
  return new Map(rows.map((r) => [r.digest, r.erased_at]));
}
