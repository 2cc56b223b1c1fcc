import { createHash } from 'node:crypto';
import { canonicalJson, EventSources, type DomainEvent, type RawRecord } from '@compliance/contracts';
import { RetryHeaders, stringHeaders } from '@compliance/messaging';
import { AuditEntryTypes } from '../chain/audit-entry';
import { refsOf } from './entry-minimiser';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const DLQ_SUFFIX = '.dlq';

export const isDeadLetterTopic = (topic: string): boolean => topic.endsWith(DLQ_SUFFIX);

function validTime(value: string | undefined): string | undefined {
  const t = value ? new Date(value) : undefined;
  return t && !Number.isNaN(t.getTime()) ? t.toISOString() : undefined;
}

/** Only the references are read from the value (never kept): they put the dead letter on its session's timeline. */
function referencesIn(type: string | undefined, value: string): { subjectRef?: string; sessionId?: string } {
  if (!type) return {};
  try {
    return refsOf(type, JSON.parse(value));
  } catch {
    return {};
  }
}

/**
 * Turns any record of another service's dead-letter topic into a fact for the trail, even one
 * that is not a CloudEvent: who gave up on what and why, never the record's value. The id derives
 * from the record itself, so a redelivered dead letter is recorded once.
 */
export function decodeDeadLetter(raw: RawRecord, dlqTopic: string): DomainEvent {
  const h = stringHeaders(raw.headers);
  const value = raw.value?.toString() ?? '';
  const key = raw.key?.toString() ?? '';
  const group = dlqTopic.slice(0, -DLQ_SUFFIX.length);
  const originalTopic = h[RetryHeaders.OriginalTopic] && h[RetryHeaders.OriginalTopic] !== dlqTopic ? h[RetryHeaders.OriginalTopic] : undefined;
  const failedAt = validTime(h[RetryHeaders.FailedAt]);
  const id = `dlq-${sha256(canonicalJson({ topic: dlqTopic, key, headers: h, value: sha256(value) })).slice(0, 40)}`;
  const refs = referencesIn(h.ce_type, value);
  const data = {
    group,
    dlqTopic,
    originalTopic,
    originalPartition: h[RetryHeaders.OriginalPartition],
    originalOffset: h[RetryHeaders.OriginalOffset],
    originalEventId: h.ce_id,
    originalType: h.ce_type,
    originalSource: h.ce_source,
    errorCode: h[RetryHeaders.ErrorCode] ?? 'UNKNOWN',
    error: (h[RetryHeaders.LastError] ?? '').slice(0, 300),
    attempts: Number(h[RetryHeaders.Attempt] ?? 0) || 0,
    failedAt,
    ...refs,
  };
  const source = Object.values(EventSources).find((s) => s.endsWith(`:${group}`)) ?? `urn:compliance:${group}`;
  return { id, type: AuditEntryTypes.DeadLetter, source, subject: refs.sessionId ?? refs.subjectRef, time: failedAt ?? new Date().toISOString(), data };
}
