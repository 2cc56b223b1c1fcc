import type { EntityManager } from 'typeorm';
import {
  EventTypes,
  newEvent,
  PURGE_OWNERS,
  Topics,
  type DataCategory,
  type DomainEvent,
  type ErasureRequestedData,
  type PurgeDueData,
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

export function ownsPurge(service: string, category: string): boolean {
  return PURGE_OWNERS[category as DataCategory]?.includes(service) ?? false;
}

/** Who answers a retention command: the service's name (in the data) and its CloudEvents source. */
export interface RetentionParty {
  service: string;
  source: string;
}

/** `retention.erasure.completed`, in the transaction that erased (the retention service counts on it). */
export async function confirmErasure(
  m: EntityManager,
  by: RetentionParty,
  command: DomainEvent<ErasureRequestedData>,
  counts: Record<string, number>,
): Promise<void> {
  const { requestId, subjectRef } = command.data;
  const data = { requestId, service: by.service, subjectRef, counts, completedAt: new Date().toISOString() };
  const event = newEvent({ type: EventTypes.RetentionErasureCompleted, source: by.source, subject: subjectRef, data, causeTraceparent: command.traceparent });
  await addToOutbox(m, Topics.RetentionEvents, subjectRef, event);
}

/** `retention.purge.completed` for the scope the command named. */
export async function confirmPurge(m: EntityManager, by: RetentionParty, command: DomainEvent<PurgeDueData>, counts: Record<string, number>): Promise<void> {
  const { purgeId, category, subjectRef, sessionId } = command.data;
  const key = subjectRef ?? sessionId ?? purgeId;
  const data = {
    purgeId,
    service: by.service,
    category,
    ...(subjectRef ? { subjectRef } : {}),
    ...(sessionId ? { sessionId } : {}),
    counts,
    completedAt: new Date().toISOString(),
  };
  const event = newEvent({ type: EventTypes.RetentionPurgeCompleted, source: by.source, subject: key, data, causeTraceparent: command.traceparent });
  await addToOutbox(m, Topics.RetentionEvents, key, event);
}
