import type { EntityManager } from 'typeorm';
import {
  erasureConfirmation,
  purgeConfirmation,
  type DomainEvent,
  type ErasureRequestedData,
  type PurgeDueData,
  type RetentionParty,
} from '@compliance/contracts';
import { addToOutbox } from './outbox';

/** Rows an UPDATE or DELETE touched, counted in SQL (no reliance on the driver's result shape). */
export async function affectedRows(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const [row] = await m.query(`WITH touched AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM touched`, params);
  return row.n;
}

/** Sent outbox rows keep copies of events (personal data included) until cleanup: erase them too. */
export function deleteSentOutbox(m: EntityManager, keys: string[]): Promise<number> {
  return affectedRows(m, 'DELETE FROM outbox WHERE sent_at IS NOT NULL AND key = ANY($1::text[])', [keys]);
}

/** `retention.erasure.completed`, in the transaction that erased (the retention service counts on it). */
export async function confirmErasure(m: EntityManager, by: RetentionParty, command: DomainEvent<ErasureRequestedData>, counts: Record<string, number>): Promise<void> {
  const { topic, key, event } = erasureConfirmation(by, command, counts);
  await addToOutbox(m, topic, key, event);
}

/** `retention.purge.completed` for the scope the command named, in the transaction that purged. */
export async function confirmPurge(m: EntityManager, by: RetentionParty, command: DomainEvent<PurgeDueData>, counts: Record<string, number>): Promise<void> {
  const { topic, key, event } = purgeConfirmation(by, command, counts);
  await addToOutbox(m, topic, key, event);
}
