import { EventSources, EventTypes, newEvent, type DomainEvent } from '@compliance/contracts';
import type { ScreeningRef } from './screening.repository';
import type { ScreeningVerdict } from './screening.types';

const base = (s: ScreeningRef) => ({
  screeningId: s.id,
  subjectRef: s.subjectRef,
  ...(s.sessionId ? { sessionId: s.sessionId } : {}),
  provider: s.provider,
  trigger: s.trigger,
});

function event(type: string, s: ScreeningRef, data: object, time?: string): DomainEvent {
  return newEvent({
    type,
    source: EventSources.AmlTrigger,
    subject: s.sessionId ?? s.subjectRef,
    data,
    time,
    causeTraceparent: s.traceparent ?? undefined,
  });
}

/** The screened identity is never on the topic: downstream readers get the findings, not the person. */
export const screeningRequested = (s: ScreeningRef): DomainEvent =>
  event(EventTypes.AmlScreeningRequested, s, { ...base(s), requestedAt: s.requestedAt }, s.requestedAt);

export const screeningCompleted = (s: ScreeningRef, v: ScreeningVerdict, completedAt: string): DomainEvent =>
  event(
    EventTypes.AmlScreeningCompleted,
    s,
    {
      ...base(s),
      outcome: v.outcome,
      score: v.score,
      hits: v.hits,
      listVersions: v.listVersions,
      algorithm: v.algorithm,
      ...(v.thresholds ? { thresholds: v.thresholds } : {}),
      ...(v.providerReference ? { providerReference: v.providerReference } : {}),
      ...(v.providerSummary ? { providerSummary: v.providerSummary } : {}),
      completedAt,
    },
    completedAt,
  );

export const screeningFailed = (s: ScreeningRef, reason: string, attempts: number, failedAt: string): DomainEvent =>
  event(EventTypes.AmlScreeningFailed, s, { ...base(s), reason, attempts, failedAt }, failedAt);
