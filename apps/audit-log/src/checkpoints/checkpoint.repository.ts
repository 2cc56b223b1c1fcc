import type { AuditCheckpointData } from '@compliance/contracts';
import type { Queryable } from '../chain/chain.repository';
import { GENESIS_HASH } from '../chain/chain-hash';

export interface CheckpointRow {
  sequence: string;
  hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
  public_key: string;
  previous_sequence: string | null;
  previous_hash: string | null;
}

/** The latest checkpoint's sequence and hash; sequence 0 and the genesis hash before the first. */
export async function lastCheckpoint(q: Queryable): Promise<{ sequence: number; hash: string }> {
  const [row] = await q.query('SELECT sequence, hash FROM audit_checkpoint ORDER BY sequence DESC LIMIT 1');
  return row ? { sequence: Number(row.sequence), hash: row.hash } : { sequence: 0, hash: GENESIS_HASH };
}

/** Stores a signed checkpoint; false when one of its sequence is already stored. */
export async function insertCheckpoint(q: Queryable, cp: AuditCheckpointData): Promise<boolean> {
  const inserted = await q.query(
    `INSERT INTO audit_checkpoint (sequence, hash, signed_at, algorithm, key_id, signature, public_key, previous_sequence, previous_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sequence) DO NOTHING RETURNING sequence`,
    [cp.sequence, cp.hash, cp.signedAt, cp.algorithm, cp.keyId, cp.signature, cp.publicKey, cp.previousSequence ?? null, cp.previousHash ?? null],
  );
  return inserted.length > 0;
}

/** Every checkpoint, in sequence order. */
export function allCheckpoints(q: Queryable): Promise<CheckpointRow[]> {
  return q.query('SELECT sequence, hash, signed_at, key_id, signature, public_key, previous_sequence, previous_hash FROM audit_checkpoint ORDER BY sequence');
}
