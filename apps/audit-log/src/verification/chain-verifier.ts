import { dataHashOf, entryHashOf, GENESIS_HASH, isoMillis, type EntryHeader } from '../chain/chain-hash';
import { TrustedKeys } from '../checkpoints/checkpoint-signer';
import { ENTRY_COLUMNS, ENTRY_FROM, type EntryRow } from '../entries/entry-rows';

/** Anything that runs SQL in the audit schema: a TypeORM DataSource, an EntityManager. */
export interface Queryable {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/** An entry row with its data joined (salt and data null once redacted). */
type ChainRow = EntryRow;

interface CheckpointRow {
  sequence: string;
  hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
  public_key: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Entries recomputed and found intact (all of them up to the head when ok). */
  entries: number;
  redacted: number;
  checkpoints: { total: number; verified: number; keys: 'configured' | 'recorded-with-checkpoints' };
  head: { sequence: number; hash: string };
  /** The first sequence where the chain does not hold, and why. */
  broken?: Problem;
  durationMs: number;
}

interface Problem {
  sequence: number;
  reason: string;
}

interface Checkpoint {
  sequence: number;
  hash: string;
  signatureProblem?: string;
}

export const VERIFY_CHUNK = 5000;

const earliest = (a?: Problem, b?: Problem) => (!a ? b : !b ? a : b.sequence < a.sequence ? b : a);

/** The first problem of an entry row given the hash before it; undefined when it holds. */
function problemOf(row: ChainRow, expected: number, prevHash: string): Problem | undefined {
  const sequence = Number(row.sequence);
  if (sequence !== expected) return { sequence: expected, reason: `entry ${expected} is missing (the next entry is ${sequence})` };
  if (row.prev_hash !== prevHash) return { sequence, reason: `prev_hash does not match the hash of entry ${sequence - 1}` };
  if (row.data !== null && dataHashOf(row.salt ?? '', row.data) !== row.data_hash) return { sequence, reason: 'data does not match data_hash' };
  if (row.data === null && row.redacted_at === null) return { sequence, reason: 'data is missing but the entry is not marked redacted' };
  const header: EntryHeader = {
    sequence,
    eventId: row.event_id,
    type: row.type,
    source: row.source,
    subjectRef: row.subject_ref,
    sessionId: row.session_id,
    occurredAt: isoMillis(row.occurred_at),
    recordedAt: isoMillis(row.recorded_at),
  };
  if (entryHashOf(row.prev_hash, header, row.data_hash) !== row.hash) return { sequence, reason: 'hash does not match the entry' };
  return undefined;
}

async function loadCheckpoints(db: Queryable, keys: TrustedKeys): Promise<{ checkpoints: Checkpoint[]; trusted: TrustedKeys }> {
  const rows = await db.query<CheckpointRow[]>('SELECT sequence, hash, signed_at, key_id, signature, public_key FROM audit_checkpoint ORDER BY sequence');
  const trusted = keys.size > 0 ? keys : TrustedKeys.fromPem(...rows.map((r) => r.public_key));
  const checkpoints = rows.map((r) => {
    const sequence = Number(r.sequence);
    const signedAt = r.signed_at.toISOString();
    return { sequence, hash: r.hash, signatureProblem: trusted.problemWith({ sequence, hash: r.hash, signedAt, signature: r.signature, keyId: r.key_id }) };
  });
  return { checkpoints, trusted };
}

/**
 * Recomputes the whole chain in sequence order (one chunk in memory at a time), checks every
 * checkpoint's signature and that the chain passes through each signed head.
 */
export async function verifyChain(db: Queryable, keys: TrustedKeys): Promise<VerifyReport> {
  const started = Date.now();
  // Checkpoints before the head: a checkpoint is committed with its head, so none can be ahead of the head read next.
  const { checkpoints } = await loadCheckpoints(db, keys);
  const [head] = await db.query<Array<{ sequence: string; hash: string; last: string | null }>>('SELECT h.sequence, h.hash, (SELECT max(sequence) FROM audit_entry) AS last FROM audit_chain_head h WHERE h.id = 1');
  const headSeq = Number(head.sequence);
  let problem: Problem | undefined;
  for (const cp of checkpoints) {
    if (cp.signatureProblem) problem = earliest(problem, { sequence: cp.sequence, reason: cp.signatureProblem });
    if (cp.sequence > headSeq) problem = earliest(problem, { sequence: headSeq + 1, reason: `checkpoint ${cp.sequence} is beyond the chain head ${headSeq}: entries were removed` });
  }
  if (head.last !== null && Number(head.last) > headSeq) problem = earliest(problem, { sequence: headSeq + 1, reason: 'entries exist beyond the chain head' });
  const signed = new Map(checkpoints.map((cp) => [cp.sequence, cp.hash]));
  const scan = await scanChain(db, { sequence: headSeq, hash: head.hash }, signed, problem?.sequence ?? Infinity);
  problem = earliest(problem, scan.problem);
  return {
    ok: !problem,
    entries: scan.entries,
    redacted: scan.redacted,
    checkpoints: {
      total: checkpoints.length,
      verified: checkpoints.filter((cp) => !cp.signatureProblem && cp.sequence <= scan.entries).length,
      keys: keys.size > 0 ? 'configured' : 'recorded-with-checkpoints',
    },
    head: { sequence: headSeq, hash: head.hash },
    ...(problem ? { broken: problem } : {}),
    durationMs: Date.now() - started,
  };
}

/** Walks entries 1..head; stops at the first problem or before `stopAt` (an earlier problem is known). */
async function scanChain(db: Queryable, head: { sequence: number; hash: string }, signed: Map<number, string>, stopAt: number) {
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let redacted = 0;
  const result = (problem?: Problem) => ({ entries: expected - 1, redacted, problem });
  while (expected <= head.sequence && expected < stopAt) {
    const rows = await db.query<ChainRow[]>(
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM}
       WHERE e.sequence >= $1 AND e.sequence <= $2 ORDER BY e.sequence LIMIT $3`,
      [expected, head.sequence, VERIFY_CHUNK],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      if (expected >= stopAt) return result();
      const problem = problemOf(row, expected, prevHash);
      if (problem) return result(problem);
      if (signed.has(expected) && signed.get(expected) !== row.hash) return result({ sequence: expected, reason: `entry ${expected} differs from the signed checkpoint` });
      if (row.data === null) redacted++;
      prevHash = row.hash;
      expected++;
    }
  }
  if (expected >= stopAt) return result();
  if (expected <= head.sequence) return result({ sequence: expected, reason: `entry ${expected} is missing (the chain head is ${head.sequence})` });
  if (prevHash !== head.hash) return result({ sequence: head.sequence, reason: 'the chain head does not match the last entry' });
  return result();
}
