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

/** Outbox rows marked sent by an earlier version (the relay now deletes a row once sent) still hold copies of events: erase them too. */
export function deleteSentOutbox(m: EntityManager, keys: string[]): Promise<number> {
  return affectedRows(m, 'DELETE FROM outbox WHERE sent_at IS NOT NULL AND key = ANY($1::text[])', [keys]);
}

/**
 * Events still waiting in the outbox keep what they were written with until they are published:
 * erase it there too, by removing top-level fields of their data (`identity`, `subjectRef`, ...) on
 * `topic` for `keys`. The events keep their id, headers, key and place in the order, and still go
 * out (without those fields). A row the relay is publishing at that moment goes out as it was, as it
 * would have a moment before. Returns the number of rows changed.
 */
export function redactUnsentOutbox(m: EntityManager, target: { topic: string; keys: string[]; fields: string[] }): Promise<number> {
  if (target.keys.length === 0 || target.fields.length === 0) return Promise.resolve(0);
  return affectedRows(
    m,
    `UPDATE outbox SET value = (value::jsonb - $3::text[])::text
     WHERE sent_at IS NULL AND topic = $1 AND key = ANY($2::text[]) AND jsonb_typeof(value::jsonb) = 'object' AND value::jsonb ?| $3::text[]`,
    [target.topic, target.keys, target.fields],
  );
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
