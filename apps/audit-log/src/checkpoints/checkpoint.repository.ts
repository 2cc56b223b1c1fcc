import type { AuditCheckpointData } from '@compliance/contracts';
import type { Queryable } from '../chain/chain.repository';

export interface CheckpointRow {
  sequence: string;
  hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
  public_key: string;
}

/** The sequence of the latest checkpoint; 0 before the first. */
export async function lastCheckpointSequence(q: Queryable): Promise<number> {
  const [{ last }] = await q.query('SELECT coalesce(max(sequence), 0)::bigint AS last FROM audit_checkpoint');
  return Number(last);
}

/** Stores a signed checkpoint; false when one of its sequence is already stored. */
export async function insertCheckpoint(q: Queryable, cp: AuditCheckpointData): Promise<boolean> {
  const inserted = await q.query(
    `INSERT INTO audit_checkpoint (sequence, hash, signed_at, algorithm, key_id, signature, public_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sequence) DO NOTHING RETURNING sequence`,
    [cp.sequence, cp.hash, cp.signedAt, cp.algorithm, cp.keyId, cp.signature, cp.publicKey],
  );
  return inserted.length > 0;
}

/** Every checkpoint, in sequence order. */
export function allCheckpoints(q: Queryable): Promise<CheckpointRow[]> {
  return q.query('SELECT sequence, hash, signed_at, key_id, signature, public_key FROM audit_checkpoint ORDER BY sequence');
}
