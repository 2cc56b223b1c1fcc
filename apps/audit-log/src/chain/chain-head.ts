import type { EntityManager } from 'typeorm';

export interface ChainHead {
  sequence: number;
  hash: string;
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
