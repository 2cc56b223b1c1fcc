import type { Queryable } from '../screenings/screening.repository';

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

/** Which of `digests` are tombstones. */
export async function tombstonedAmong(q: Queryable, digests: string[]): Promise<Set<string>> {
  if (digests.length === 0) return new Set();
  const rows: Array<{ digest: string }> = await q.query('SELECT digest FROM erasure_tombstones WHERE digest = ANY($1::text[])', [digests]);
  return new Set(rows.map((r) => r.digest));
}
