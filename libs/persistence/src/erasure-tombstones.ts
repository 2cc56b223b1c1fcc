import type { QueryRunner } from 'typeorm';
import { preparedStatement, runPrepared } from './prepared';

/** An EntityManager or a DataSource: both run raw SQL. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Erasure tombstones: what a service erased, without what it was. One row per erased subject
 * reference or session id, keyed by an HMAC digest under the service's PII digest key (see
 * `PiiCipher.digests`), so an event about an erased subject that arrives later (consumer lag, a
 * retry, an outbox row sent after the erasure) is recognised. Each service keeps its own table in its
 * schema; the statements are the same everywhere.
 */
export type TombstoneKind = 'subject' | 'session';

export interface TombstoneRow {
  digest: string;
  kind: TombstoneKind;
  requestId: string;
}

/** The table, created by a migration of each service that keeps tombstones. */
export async function createErasureTombstonesTable(q: QueryRunner): Promise<void> {
  await q.query(`CREATE TABLE IF NOT EXISTS erasure_tombstones (
      digest text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('subject', 'session')),
      request_id text NOT NULL,
      erased_at timestamptz NOT NULL DEFAULT now())`);
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
  const rows: Array<{ digest: string; erased_at: Date }> = await runPrepared(q, preparedStatement('SELECT digest, erased_at FROM erasure_tombstones WHERE digest = ANY($1::text[])'), [digests]);
  return new Map(rows.map((r) => [r.digest, r.erased_at]));
}

