import type { DataSource, EntityManager } from 'typeorm';
import { PiiDecryptError, type PiiCipher } from './pii-cipher';

type Row = Record<string, string | null>;

/** A table whose columns hold PiiCipher values, each bound to a context derived from its row. */
export interface SealedTable {
  table: string;
  /** Primary key column (text or uuid). */
  key: string;
  columns: string[];
  context(row: Row, column: string): string;
  /** Further columns to write when a row is re-encrypted, from its values in clear (a digest, a key id). */
  alsoSet?(row: Row, clear: Record<string, string | null>): Record<string, string>;
}

export interface RekeyOutcome {
  table: string;
  rekeyed: number;
  /** Values under a key that is no longer listed: left as they are. */
  unreadable: number;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * After a key rotation: re-encrypts under the current key, batch by batch (one transaction each, rows
 * locked, others skipped), every value of the table sealed under an older listed key, so that the
 * old key can be removed once nothing is left under it. One pass over the table in key order.
 */
export async function rekeySealedTable(ds: DataSource, cipher: PiiCipher, spec: SealedTable, opts: { batch?: number; shouldStop?: () => boolean } = {}): Promise<RekeyOutcome> {
  for (const name of [spec.table, spec.key, ...spec.columns]) if (!IDENT.test(name)) throw new Error(`not a plain identifier: ${name}`);
  const batch = opts.batch ?? 200;
  // PiiCipher.isUnderOlderKey in SQL: the key id is the second dot-separated part of a stored value.
  const underOlderKey = spec.columns.map((c) => `(${c} IS NOT NULL AND split_part(${c}, '.', 2) <> $2)`).join(' OR ');
  const outcome: RekeyOutcome = { table: spec.table, rekeyed: 0, unreadable: 0 };
  let after = '';
  for (;;) {
    if (opts.shouldStop?.()) return outcome;
    const rows: Row[] = await ds.transaction(async (m) => {
      const page: Row[] = await m.query(
        `SELECT *, ${spec.key}::text AS rekey_cursor FROM ${spec.table}
          WHERE ${spec.key}::text > $1 AND (${underOlderKey})
          ORDER BY ${spec.key}::text LIMIT ${batch} FOR UPDATE SKIP LOCKED`,
        [after, cipher.keyId],
      );
      for (const row of page) await rekeyRow(m, cipher, spec, row, outcome);
      return page;
    });
    if (rows.length < batch) return outcome;
    after = rows[rows.length - 1].rekey_cursor as string;
  }
}

async function rekeyRow(m: EntityManager, cipher: PiiCipher, spec: SealedTable, row: Row, outcome: RekeyOutcome): Promise<void> {
  const clear: Record<string, string | null> = {};
  try {
    for (const c of spec.columns) clear[c] = row[c] === null ? null : cipher.decrypt(row[c] as string, spec.context(row, c));
  } catch (err) {
    if (!(err instanceof PiiDecryptError)) throw err;
    outcome.unreadable++;
    return;
  }
  // Only what is under an older key is written again; alsoSet sees every value in clear.
  const set: Record<string, string> = {};
  for (const c of spec.columns) if (row[c] !== null && cipher.isUnderOlderKey(row[c] as string)) set[c] = cipher.encrypt(clear[c] as string, spec.context(row, c));
  Object.assign(set, spec.alsoSet?.(row, clear));
  const names = Object.keys(set);
  for (const name of names) if (!IDENT.test(name)) throw new Error(`not a plain identifier: ${name}`);
  await m.query(`UPDATE ${spec.table} SET ${names.map((n, i) => `${n} = $${i + 2}`).join(', ')} WHERE ${spec.key} = $1`, [row[spec.key], ...names.map((n) => set[n])]);
  outcome.rekeyed++;
}

