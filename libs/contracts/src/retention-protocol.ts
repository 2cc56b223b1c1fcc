import { newEvent, type DomainEvent } from './envelope';
import { EventTypes, PURGE_OWNERS, type DataCategory } from './event-types';
import type { ErasureRequestedData, PurgeDueData } from './events/retention.events';
import { Topics } from './topics';

/**
 * The retention confirmation protocol: every data-holding service answers each retention command
 * it owns with one confirmation on `retention.events.v1`, and the retention service finishes an
 * erasure or a purge only when every party has confirmed.
 */

/** Who answers a retention command: the service's name (in the data) and its CloudEvents source. */
export interface RetentionParty {
  service: string;
  source: string;
}

/** A confirmation and where it goes: the topic and the key that keeps a subject's events in order. */
export interface RetentionConfirmation {
  topic: string;
  key: string;
  event: DomainEvent;
}

/** Whether `service` deletes the data of `category` when a purge is due. */
export function ownsPurge(service: string, category: string): boolean {
  return PURGE_OWNERS[category as DataCategory]?.includes(service) ?? false;
}

/** `retention.erasure.completed`: what `by` erased for the command, counted per kind of record. */
export function erasureConfirmation(by: RetentionParty, command: DomainEvent<ErasureRequestedData>, counts: Record<string, number>): RetentionConfirmation {
  const { requestId, subjectRef } = command.data;
  const data = { requestId, service: by.service, subjectRef, counts, completedAt: new Date().toISOString() };
  const event = newEvent({ type: EventTypes.RetentionErasureCompleted, source: by.source, subject: subjectRef, data, causeTraceparent: command.traceparent });
  return { topic: Topics.RetentionEvents, key: subjectRef, event };
}

/** `retention.purge.completed` for the scope the command named. */
export function purgeConfirmation(by: RetentionParty, command: DomainEvent<PurgeDueData>, counts: Record<string, number>): RetentionConfirmation {
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
  return { topic: Topics.RetentionEvents, key, event };
}
