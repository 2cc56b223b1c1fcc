import type { PoolClient } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import type { AuditCheckpointData } from '@compliance/contracts';
import { canonicalHeader, GENESIS_HASH, sha256 } from '../chain/chain-hash';
import { firstEntryBetween, firstUnorderedRedaction, headAndLastEntry, recordedAtOf, streamChainPage, type ChainRow } from '../chain/chain.repository';
import { TrustedKeys } from '../checkpoints/checkpoint-signer';
import { allCheckpoints } from '../checkpoints/checkpoint.repository';

export interface VerifyReport {
  ok: boolean;
  /** Entries recomputed and found intact (all of them up to the head when ok). */
  entries: number;
  redacted: number;
  /** Keys come from configuration only; with none, nothing is trusted and verification fails. */
  checkpoints: { total: number; verified: number; keys: 'configured' | 'none' };
  /** The signed checkpoints read from audit.checkpoints.v1, when they were checked (not for an offline copy). */
  anchors: { checked: boolean; total: number };
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
  previousSequence: number | null;
  previousHash: string | null;
  signatureProblem?: string;
}

export interface VerifyOptions {
  pageSize?: number;
  /**
   * How the chain is checkpointed: the head may run at most `every` entries past the last signed
   * checkpoint, and the oldest entry no checkpoint covers may be at most `maxUncoveredAgeMs` old
   * (null: not checked, for an offline copy).
   */
  coverage?: { every: number; maxUncoveredAgeMs: number | null };
  /** The checkpoints published on audit.checkpoints.v1; undefined when not checked (an offline copy). */
  anchors?: AuditCheckpointData[];
  now?: Date;
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

/** The stored checkpoints, each checked against the configured keys only (never a key stored beside it). */
async function loadCheckpoints(db: QueryRunner, keys: TrustedKeys): Promise<Checkpoint[]> {
  const rows = await allCheckpoints(db.manager);
  return rows.map((r) => {
    const sequence = Number(r.sequence);
    const signedAt = r.signed_at.toISOString();
    const previousSequence = r.previous_sequence === null ? null : Number(r.previous_sequence);
    const signatureProblem = keys.problemWith({ sequence, hash: r.hash, signedAt, signature: r.signature, keyId: r.key_id, previousSequence: previousSequence ?? undefined, previousHash: r.previous_hash ?? undefined });
    return { sequence, hash: r.hash, previousSequence, previousHash: r.previous_hash, signatureProblem };
  });
}

/**
 * Checkpoints chain: each names the one before it (sequence and hash), the first names the genesis.
 * One missing from the table breaks the chain at the checkpoint that names it. Checkpoints from
 * before chaining (no predecessor recorded) may only come first.
 */
function checkpointChainProblem(checkpoints: Checkpoint[]): Problem | undefined {
  let previous = { sequence: 0, hash: GENESIS_HASH };
  let chained = false;
  for (const cp of checkpoints) {
    if (cp.previousSequence === null) {
      if (chained) return { sequence: cp.sequence, reason: `checkpoint ${cp.sequence} does not name the checkpoint before it` };
    } else {
      chained = true;
      if (cp.previousSequence !== previous.sequence || cp.previousHash !== previous.hash) {
        const missing = cp.previousSequence > previous.sequence;
        return missing
          ? { sequence: cp.previousSequence, reason: `checkpoint ${cp.previousSequence} is missing (checkpoint ${cp.sequence} was signed after it)` }
          : { sequence: cp.sequence, reason: `checkpoint ${cp.sequence} does not follow checkpoint ${previous.sequence}` };
      }
    }
    previous = cp;
  }
  return undefined;
}

/**
 * The published checkpoints against the table: each validly signed one must be there, with the same
 * hash, and the chain must reach it. One not validly signed by a configured key is itself a finding.
 */
function anchorProblems(anchors: AuditCheckpointData[], stored: Checkpoint[], keys: TrustedKeys, headSeq: number): { problem?: Problem; valid: AuditCheckpointData[] } {
  const bySequence = new Map(stored.map((cp) => [cp.sequence, cp]));
  let problem: Problem | undefined;
  const valid: AuditCheckpointData[] = [];
  for (const a of anchors) {
    const bad = keys.problemWith(a);
    if (bad) {
      problem = earliest(problem, { sequence: a.sequence, reason: `audit.checkpoints.v1: ${bad}` });
      continue;
    }
    valid.push(a);
    const row = bySequence.get(a.sequence);
    if (a.sequence > headSeq) problem = earliest(problem, { sequence: headSeq + 1, reason: `checkpoint ${a.sequence} published on audit.checkpoints.v1 is beyond the chain head ${headSeq}: entries were removed` });
    else if (!row) problem = earliest(problem, { sequence: a.sequence, reason: `checkpoint ${a.sequence} published on audit.checkpoints.v1 is missing from the table` });
    else if (row.hash !== a.hash) problem = earliest(problem, { sequence: a.sequence, reason: `checkpoint ${a.sequence} in the table differs from the one published on audit.checkpoints.v1` });
  }
  return { problem, valid };
}

/** Entries past the last signed checkpoint: at most `every` of them, and none older than allowed. */
async function coverageProblem(db: QueryRunner, lastSigned: number, headSeq: number, coverage: NonNullable<VerifyOptions['coverage']>, now: Date): Promise<Problem | undefined> {
  const uncovered = headSeq - lastSigned;
  if (uncovered <= 0) return undefined;
  if (uncovered > coverage.every) {
    return { sequence: lastSigned + coverage.every + 1, reason: `${uncovered} entries after checkpoint ${lastSigned} are not covered by a signed checkpoint (at most ${coverage.every} may be)` };
  }
  if (coverage.maxUncoveredAgeMs === null) return undefined;
  const first = await recordedAtOf(db.manager, lastSigned + 1);
  if (first && now.getTime() - first.getTime() > coverage.maxUncoveredAgeMs) {
    const minutes = Math.round((now.getTime() - first.getTime()) / 60_000);
    return { sequence: lastSigned + 1, reason: `entry ${lastSigned + 1} was chained ${minutes} min ago and no signed checkpoint covers it yet` };
  }
  return undefined;
}

/**
 * Recomputes the whole chain in sequence order (streamed, one page of rows at most in memory) and
 * holds it to its signed checkpoints: every signature by a configured key, the checkpoints chained
 * without a gap, the chain passing through each signed head, the head not too far past the last one,
 * the published checkpoints (when given) all present, and every redaction ordered by a chained
 * retention command.
 */
export async function verifyChain(ds: DataSource, keys: TrustedKeys, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const runner = ds.createQueryRunner();
  try {
    return await verifyOn(runner, keys, opts);
  } finally {
    await runner.release();
  }
}

async function verifyOn(db: QueryRunner, keys: TrustedKeys, opts: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  // Checkpoints before the head: a checkpoint is committed with its head, so none can be ahead of the head read next.
  const checkpoints = await loadCheckpoints(db, keys);
  const head = await headAndLastEntry(db.manager);
  const headSeq = head.sequence;
  let problem: Problem | undefined;
  if (keys.size === 0) problem = { sequence: 0, reason: 'no trusted public key is configured (AUDIT_PUBLIC_KEY or AUDIT_SIGNING_KEY): the checkpoints cannot be verified' };
  for (const cp of checkpoints) {
    if (cp.signatureProblem) problem = earliest(problem, { sequence: cp.sequence, reason: cp.signatureProblem });
    if (cp.sequence > headSeq) problem = earliest(problem, { sequence: headSeq + 1, reason: `checkpoint ${cp.sequence} is beyond the chain head ${headSeq}: entries were removed` });
  }
  problem = earliest(problem, checkpointChainProblem(checkpoints));
  const anchors = opts.anchors ? anchorProblems(opts.anchors, checkpoints, keys, headSeq) : { valid: [] };
  problem = earliest(problem, anchors.problem);
  if (head.lastEntry !== null && head.lastEntry > headSeq) problem = earliest(problem, { sequence: headSeq + 1, reason: 'entries exist beyond the chain head' });
  const signedHeads = [...checkpoints.filter((cp) => !cp.signatureProblem), ...anchors.valid];
  if (opts.coverage) {
    const lastSigned = Math.max(0, ...signedHeads.map((cp) => cp.sequence).filter((s) => s <= headSeq));
    problem = earliest(problem, await coverageProblem(db, lastSigned, headSeq, opts.coverage, opts.now ?? new Date()));
  }
  const signed = new Map([...checkpoints, ...anchors.valid].map((cp) => [cp.sequence, cp.hash]));
  const scan = await scanChain(db, { sequence: headSeq, hash: head.hash }, signed, problem?.sequence ?? Infinity, opts.pageSize ?? VERIFY_PAGE);
  problem = earliest(problem, scan.problem);
  if (!problem) {
    const unordered = await firstUnorderedRedaction(db.manager);
    if (unordered !== null) problem = { sequence: unordered, reason: `entry ${unordered} is redacted, but no chained retention command that reaches it ordered that` };
  }
  return {
    ok: !problem,
    entries: scan.entries,
    redacted: scan.redacted,
    checkpoints: {
      total: checkpoints.length,
      verified: checkpoints.filter((cp) => !cp.signatureProblem && cp.sequence <= scan.entries).length,
      keys: keys.size > 0 ? 'configured' : 'none',
    },
    anchors: { checked: opts.anchors !== undefined, total: opts.anchors?.length ?? 0 },
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
