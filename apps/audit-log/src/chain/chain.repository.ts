import { Query, type PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { preparedStatement, runPrepared } from '@compliance/persistence';
import { AuditEntryTypes, type ChainedEntry } from './audit-entry';

/** An EntityManager (inside a transaction) or the DataSource: both run raw SQL. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ChainHead {
  sequence: number;
  hash: string;
}

/** An entry sealed into its place in the chain, with the data its data_hash commits to. */
export interface SealedEntry {
  entry: ChainedEntry;
  salt: string;
  /** The entry's data as canonical JSON. */
  canonical: string;
}

/**
 * Locks the single chain-head row until the transaction ends: whoever holds it is the only writer,
 * so the chain cannot fork however many consumer instances run.
 */
export async function lockChainHead(manager: EntityManager): Promise<ChainHead> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('the audit chain is only written inside a transaction');
  const [row] = await manager.query('SELECT sequence, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE');
  return { sequence: Number(row.sequence), hash: row.hash };
}

const CHAINED_EVENT_IDS = preparedStatement('SELECT event_id FROM audit_entry WHERE event_id = ANY($1::text[])');

/** Which of `eventIds` the chain already holds. */
export async function chainedEventIds(q: Queryable, eventIds: string[]): Promise<Set<string>> {
  const rows = await runPrepared<{ event_id: string }>(q, CHAINED_EVENT_IDS, [eventIds]);
  return new Set(rows.map((r) => r.event_id));
}

// Chain rows, data rows and the head move together in one statement, however many entries. An entry
// naming a subject or session a chained erasure reached (audit_erased_ref) is chained redacted: stamped
// with that erasure command, without a data row; the retention protocol's own entries keep their data.
const INSERT_SQL = preparedStatement(`
WITH input AS (
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[],
                       $9::text[], $10::text[], $11::text[], $16::text[], $12::text[], $13::text[])
         AS x(sequence, event_id, type, source, subject_ref, session_id, occurred_at, recorded_at, data_hash, prev_hash, hash, trace_id, salt, data)),
marked AS (
  SELECT i.*, CASE WHEN i.type NOT LIKE 'retention.%' AND i.type <> '${AuditEntryTypes.DataRedacted}' THEN coalesce(bs.erased_by, bx.erased_by) END AS redacted_by
  FROM input i
  LEFT JOIN audit_erased_ref bs ON bs.kind = 'subject' AND bs.ref = i.subject_ref
  LEFT JOIN audit_erased_ref bx ON bx.kind = 'session' AND bx.ref = i.session_id),
entry AS (
  INSERT INTO audit_entry (sequence, event_id, type, source, subject_ref, session_id, occurred_at, recorded_at, data_hash, prev_hash, hash, trace_id,
                           redacted_at, redacted_by)
  SELECT sequence, event_id, type, source, subject_ref, session_id, occurred_at, recorded_at, data_hash, prev_hash, hash, trace_id,
         CASE WHEN redacted_by IS NOT NULL THEN now() END, redacted_by
  FROM marked
  RETURNING sequence, redacted_by),
data AS (INSERT INTO audit_entry_data (sequence, salt, data) SELECT sequence, salt, data FROM marked WHERE redacted_by IS NULL),
head AS (UPDATE audit_chain_head SET sequence = $14, hash = $15, updated_at = now() WHERE id = 1)
SELECT sequence, redacted_by FROM entry WHERE redacted_by IS NOT NULL`);

/**
 * Writes sealed entries (in chain order, at least one) with their data, and moves the head to the
 * last, in one statement. An entry a chained erasure already reached is written redacted (no data
 * row): returned are those, by sequence, with the event id of the erasure command.
 */
export async function insertSealed(q: Queryable, sealed: SealedEntry[]): Promise<Map<number, string>> {
  const col = <K extends keyof ChainedEntry>(k: K) => sealed.map((s) => s.entry[k]);
  const last = sealed[sealed.length - 1].entry;
  const rows = await runPrepared<{ sequence: string; redacted_by: string }>(q, INSERT_SQL, [
    col('sequence'), col('eventId'), col('type'), col('source'), col('subjectRef'), col('sessionId'), col('occurredAt'), col('recordedAt'),
    col('dataHash'), col('prevHash'), col('hash'), sealed.map((s) => s.salt), sealed.map((s) => s.canonical), last.sequence, last.hash,
    sealed.map((s) => s.entry.traceId ?? null),
  ]);
  return new Map(rows.map((r) => [Number(r.sequence), r.redacted_by]));
}

/**
 * Records what erasure commands reached (subjects and sessions, each with its command), for the
 * entries appended after them; a reference already erased keeps its first command.
 */
export async function recordErasedRefs(q: Queryable, refs: Array<{ kind: 'subject' | 'session'; ref: string; erasedBy: string }>): Promise<void> {
  if (refs.length === 0) return;
  await q.query('INSERT INTO audit_erased_ref (kind, ref, erased_by) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING', [
    refs.map((r) => r.kind),
    refs.map((r) => r.ref),
    refs.map((r) => r.erasedBy),
  ]);
}

/** The head row, and the highest sequence of the entries (null when there are none). */
export async function headAndLastEntry(q: Queryable): Promise<ChainHead & { lastEntry: number | null }> {
  const [row]: Array<{ sequence: string; hash: string; last: string | null }> = await q.query(
    'SELECT h.sequence, h.hash, (SELECT max(sequence) FROM audit_entry) AS last FROM audit_chain_head h WHERE h.id = 1',
  );
  return { sequence: Number(row.sequence), hash: row.hash, lastEntry: row.last === null ? null : Number(row.last) };
}

/** When an entry was chained; null when it does not exist. */
export async function recordedAtOf(q: Queryable, sequence: number): Promise<Date | null> {
  const [row]: Array<{ recorded_at: Date }> = await q.query('SELECT recorded_at FROM audit_entry WHERE sequence = $1', [sequence]);
  return row?.recorded_at ?? null;
}

/**
 * The first redacted entry no chained retention command accounts for: its \`redacted_by\` must be the
 * event id of an erasure or purge command chained at or after it, or of an erasure command chained
 * before it (the entry arrived after the erasure and was chained redacted), that reaches it (the
 * command's subject, a session it names or the trail links to that subject before it, or, for a purge
 * without subject or session, an occurrence before its cut-off); and retention entries are never redacted.
 * A condition that is unknown (a reference the command does not have) accounts for nothing.
 */
export async function firstUnorderedRedaction(q: Queryable): Promise<number | null> {
  const [row]: Array<{ sequence: string } | undefined> = await q.query(
    `SELECT e.sequence FROM audit_entry e
       LEFT JOIN audit_entry c ON c.event_id = e.redacted_by
       LEFT JOIN audit_entry_data cd ON cd.sequence = c.sequence
      WHERE e.redacted_at IS NOT NULL
        AND (
          c.sequence IS NOT NULL AND (c.sequence >= e.sequence OR c.type = 'retention.erasure.requested')
          AND c.type IN ('retention.erasure.requested', 'retention.purge.due')
          AND e.type NOT LIKE 'retention.%' AND e.type <> 'audit.data_redacted'
          AND (
            (c.subject_ref IS NOT NULL AND c.subject_ref = e.subject_ref)
            OR (e.session_id IS NOT NULL AND e.session_id = c.session_id)
            OR (e.session_id IS NOT NULL AND cd.data IS NOT NULL AND (cd.data::jsonb -> 'sessionIds') ? e.session_id)
            OR (e.session_id IS NOT NULL AND c.subject_ref IS NOT NULL AND EXISTS (
                  SELECT 1 FROM audit_entry l WHERE l.subject_ref = c.subject_ref AND l.session_id = e.session_id AND l.sequence <= c.sequence))
            OR (c.type = 'retention.purge.due' AND c.subject_ref IS NULL AND c.session_id IS NULL AND cd.data IS NOT NULL
                AND e.occurred_at < (cd.data::jsonb ->> 'clockStartedBefore')::timestamptz)
          )
        ) IS NOT TRUE
      ORDER BY e.sequence LIMIT 1`,
  );
  return row ? Number(row.sequence) : null;
}

/** The lowest sequence of the entries from `from` to `to` (both included); null when there is none. */
export async function firstEntryBetween(q: Queryable, from: number, to: number): Promise<number | null> {
  const [{ next }]: Array<{ next: string | null }> = await q.query('SELECT min(sequence) AS next FROM audit_entry WHERE sequence >= $1 AND sequence <= $2', [from, to]);
  return next === null ? null : Number(next);
}

/**
 * An entry row as verification reads it: only what the hashes cover, times already printed as the
 * chain prints them (`*_ms` instead, for a time outside years 1–9999), data joined (salt and data
 * null once redacted).
 */
export interface ChainRow {
  sequence: string;
  event_id: string;
  type: string;
  source: string;
  subject_ref: string | null;
  session_id: string | null;
  occurred_at: string | null;
  occurred_ms: number | null;
  recorded_at: string | null;
  recorded_ms: number | null;
  data_hash: string;
  prev_hash: string;
  hash: string;
  trace_id: string | null;
  redacted: boolean;
  salt: string | null;
  data: string | null;
}

/**
 * A time exactly as `Date.prototype.toISOString` prints what pg reads (UTC, milliseconds truncated),
 * printed by Postgres so that no Date is built per entry. Outside years 1–9999 the text would not
 * match JavaScript's (signed six-digit years), so there the milliseconds since the epoch come instead.
 */
const isoOf = (column: string, alias: string) => {
  const inRange = `${column} >= '0001-01-01 00:00:00+00' AND ${column} < '10000-01-01 00:00:00+00'`;
  return `CASE WHEN ${inRange} THEN to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END AS ${alias},
  CASE WHEN NOT (${inRange}) THEN floor(extract(epoch FROM ${column}) * 1000)::float8 END AS ${alias.replace(/_at$/, '_ms')}`;
};

/**
 * One page: a bounded range of sequences, so its cost does not depend on the size of the chain or on
 * statistics (a freshly loaded table has none). Each entry's data is looked up by its key (LIMIT
 * keeps the lookup a nested loop), so rows come in the order entries are stored, which is sequence
 * order unless rows were moved, without a sort; the caller puts the rare row out of order right.
 */
const PAGE_SQL = `SELECT e.sequence, e.event_id, e.type, e.source, e.subject_ref, e.session_id,
  ${isoOf('e.occurred_at', 'occurred_at')}, ${isoOf('e.recorded_at', 'recorded_at')},
  e.data_hash, e.prev_hash, e.hash, e.trace_id, e.redacted_at IS NOT NULL AS redacted, d.salt, d.data
  FROM audit_entry e
  LEFT JOIN LATERAL (SELECT salt, data FROM audit_entry_data WHERE sequence = e.sequence LIMIT 1) d ON true
  WHERE e.sequence >= $1 AND e.sequence < $2`;

/**
 * Streams the entries of sequences `from` (included) to `to` (excluded) to `onRow` as they arrive,
 * keeping none: memory stays flat whatever the page. A pg `Query` on the raw client, since the
 * DataSource would collect every row before answering. An error thrown by `onRow` rejects once the
 * query has ended; later rows are not passed on.
 */
export function streamChainPage(client: PoolClient, from: number, to: number, onRow: (row: ChainRow) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: unknown;
    const query = client.query(new Query<ChainRow>(PAGE_SQL, [from, to]));
    query.on('row', (row: ChainRow) => {
      if (failed === undefined) {
        try {
          onRow(row);
        } catch (err) {
          failed = err;
        }
      }
    });
    query.on('error', reject);
    query.on('end', () => (failed === undefined ? resolve() : reject(failed)));
  });
}
