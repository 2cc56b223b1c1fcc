import type { PoolClient } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { canonicalHeader, GENESIS_HASH, sha256 } from '../chain/chain-hash';
import { firstEntryBetween, headAndLastEntry, streamChainPage, type ChainRow } from '../chain/chain.repository';
import { TrustedKeys } from '../checkpoints/checkpoint-signer';
import { allCheckpoints } from '../checkpoints/checkpoint.repository';

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

/** Entries per page: one bounded range of sequences per query, streamed row by row. */
export const VERIFY_PAGE = 10_000;

const earliest = (a?: Problem, b?: Problem) => (!a ? b : !b ? a : b.sequence < a.sequence ? b : a);

/** The first problem of an entry row given the hash before it; undefined when it holds. */
function problemOf(row: ChainRow, expected: number, prevHash: string): Problem | undefined {
  const sequence = Number(row.sequence);
  if (sequence !== expected) return { sequence: expected, reason: `entry ${expected} is missing (the next entry is ${sequence})` };
  if (row.prev_hash !== prevHash) return { sequence, reason: `prev_hash does not match the hash of entry ${sequence - 1}` };
  if (row.data !== null && sha256((row.salt ?? '') + row.data) !== row.data_hash) return { sequence, reason: 'data does not match data_hash' };
  if (row.data === null && !row.redacted) return { sequence, reason: 'data is missing but the entry is not marked redacted' };
  const occurredAt = row.occurred_at ?? timeText(row.occurred_ms);
  const recordedAt = row.recorded_at ?? timeText(row.recorded_ms);
  // A time no JavaScript date can hold (infinity) was never chained: the entry was changed.
  if (occurredAt === undefined || recordedAt === undefined) return { sequence, reason: 'hash does not match the entry' };
  const header = canonicalHeader({
    sequence,
    eventId: row.event_id,
    type: row.type,
    source: row.source,
    subjectRef: row.subject_ref,
    sessionId: row.session_id,
    occurredAt,
    recordedAt,
    traceId: row.trace_id,
  });
  if (sha256(row.prev_hash + header + row.data_hash) !== row.hash) return { sequence, reason: 'hash does not match the entry' };
  return undefined;
}

/** The chain's text of a time given in milliseconds since the epoch; undefined when no Date can hold it. */
function timeText(ms: number | null): string | undefined {
  const date = new Date(ms ?? NaN);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

async function loadCheckpoints(db: QueryRunner, keys: TrustedKeys): Promise<{ checkpoints: Checkpoint[]; trusted: TrustedKeys }> {
  const rows = await allCheckpoints(db.manager);
  const trusted = keys.size > 0 ? keys : TrustedKeys.fromPem(...rows.map((r) => r.public_key));
  const checkpoints = rows.map((r) => {
    const sequence = Number(r.sequence);
    const signedAt = r.signed_at.toISOString();
    return { sequence, hash: r.hash, signatureProblem: trusted.problemWith({ sequence, hash: r.hash, signedAt, signature: r.signature, keyId: r.key_id }) };
  });
  return { checkpoints, trusted };
}

/**
 * Recomputes the whole chain in sequence order (streamed, one page of rows at most in memory),
 * checks every checkpoint's signature and that the chain passes through each signed head.
 */
export async function verifyChain(ds: DataSource, keys: TrustedKeys, opts: { pageSize?: number } = {}): Promise<VerifyReport> {
  const runner = ds.createQueryRunner();
  try {
    return await verifyOn(runner, keys, opts.pageSize ?? VERIFY_PAGE);
  } finally {
    await runner.release();
  }
}

async function verifyOn(db: QueryRunner, keys: TrustedKeys, pageSize: number): Promise<VerifyReport> {
  const started = Date.now();
  // Checkpoints before the head: a checkpoint is committed with its head, so none can be ahead of the head read next.
  const { checkpoints } = await loadCheckpoints(db, keys);
  const head = await headAndLastEntry(db.manager);
  const headSeq = head.sequence;
  let problem: Problem | undefined;
  for (const cp of checkpoints) {
    if (cp.signatureProblem) problem = earliest(problem, { sequence: cp.sequence, reason: cp.signatureProblem });
    if (cp.sequence > headSeq) problem = earliest(problem, { sequence: headSeq + 1, reason: `checkpoint ${cp.sequence} is beyond the chain head ${headSeq}: entries were removed` });
  }
  if (head.lastEntry !== null && head.lastEntry > headSeq) problem = earliest(problem, { sequence: headSeq + 1, reason: 'entries exist beyond the chain head' });
  const signed = new Map(checkpoints.map((cp) => [cp.sequence, cp.hash]));
  const scan = await scanChain(db, { sequence: headSeq, hash: head.hash }, signed, problem?.sequence ?? Infinity, pageSize);
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

/**
 * Walks entries 1..head in keyset pages on the sequence, each streamed and checked row by row as it
 * arrives (Postgres produces the rows while they are hashed); stops at the first problem or before
 * `stopAt` (an earlier problem is known).
 */
async function scanChain(db: QueryRunner, head: { sequence: number; hash: string }, signed: Map<number, string>, stopAt: number, pageSize: number) {
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let redacted = 0;
  let problem: Problem | undefined;
  const result = (p?: Problem) => ({ entries: expected - 1, redacted, problem: p });
  /** Checks the row of sequence `expected` and moves past it. */
  const take = (row: ChainRow): Problem | undefined => {
    const found = problemOf(row, expected, prevHash);
    if (found) return found;
    const signedHash = signed.get(expected);
    if (signedHash !== undefined && signedHash !== row.hash) return { sequence: expected, reason: `entry ${expected} differs from the signed checkpoint` };
    if (row.data === null) redacted++;
    prevHash = row.hash;
    expected++;
    return undefined;
  };
  const client = (await db.connect()) as PoolClient;
  const end = Math.min(head.sequence + 1, stopAt);
  while (expected < end) {
    const to = Math.min(expected + pageSize, end);
    // Rows ahead of their turn wait here (only rows moved in the table come early).
    const early = new Map<number, ChainRow>();
    await streamChainPage(client, expected, to, (row) => {
      if (problem) return;
      if (Number(row.sequence) !== expected) {
        early.set(Number(row.sequence), row);
        return;
      }
      problem = take(row);
      for (let next = early.get(expected); next && !problem; next = early.get(expected)) {
        early.delete(expected);
        problem = take(next);
      }
    });
    if (problem) return result(problem);
    if (expected < to) return result(await missing(db, expected, head.sequence));
  }
  if (expected >= stopAt) return result();
  if (prevHash !== head.hash) return result({ sequence: head.sequence, reason: 'the chain head does not match the last entry' });
  return result();
}

/** Entries from `expected` to the end of a page are absent: name the next one present, if any. */
async function missing(db: QueryRunner, expected: number, headSequence: number): Promise<Problem> {
  const next = await firstEntryBetween(db.manager, expected, headSequence);
  return next === null
    ? { sequence: expected, reason: `entry ${expected} is missing (the chain head is ${headSequence})` }
    : { sequence: expected, reason: `entry ${expected} is missing (the next entry is ${next})` };
}
