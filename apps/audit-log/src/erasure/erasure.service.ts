import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EventSources,
  EventTypes,
  PURGE_OWNERS,
  type DomainEvent,
  type ErasureRequestedData,
  type PurgeDueData,
} from '@compliance/contracts';
import { confirmErasure, confirmPurge, deleteSentOutbox } from '@compliance/messaging';
import type { ChainedEntry } from '../chain/audit-entry';
import { AuditEntryTypes } from '../chain/audit-entry';
import { auditMetrics } from '../chain/audit.metrics';
import { ChainAppender } from '../chain/chain-appender';

export const SERVICE = 'audit-log';
const PARTY = { service: SERVICE, source: EventSources.AuditLog };

/** The retention protocol's own entries carry no personal data and are the proof erasure happened: they stay. */
const KEPT = `e.type NOT LIKE 'retention.%' AND e.type <> '${AuditEntryTypes.DataRedacted}'`;

/**
 * What one command redacts: the entries of a subject, of sessions, or that occurred before a time,
 * among those chained up to `upto` (the command's own entry: what the chain held when it arrived).
 */
interface Redaction {
  event: DomainEvent;
  trigger: 'erasure' | 'purge';
  subjectRef: string | null;
  /** Sessions named by the command; those the trail links to `subjectRef` are added. */
  sessionIds: string[];
  before: string | null;
  upto: number | null;
}

// The sessions the trail links to each subject (each as far as its command's place in the chain).
const SESSIONS_SQL = `
SELECT r.n::int AS n, array_agg(DISTINCT e.session_id) AS sessions
FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS r(subject_ref, upto, n)
JOIN audit_entry e ON e.subject_ref = r.subject_ref AND (r.upto IS NULL OR e.sequence <= r.upto)
WHERE e.session_id IS NOT NULL
GROUP BY r.n`;

/**
 * Every command's redaction in one statement: an entry's data goes once, credited to the first
 * command (in list order) that reaches it, as if the commands had run one after the other.
 */
const REDACT_SQL = `
WITH req AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[]) WITH ORDINALITY AS r(by_event, subject_ref, before, upto, n)),
ses AS (SELECT * FROM unnest($5::bigint[], $6::text[]) AS s(n, session_id)),
reached AS (
  SELECT e.sequence, r.n, r.upto FROM req r JOIN audit_entry e ON e.subject_ref = r.subject_ref
  UNION ALL
  SELECT e.sequence, r.n, r.upto FROM ses s JOIN req r USING (n) JOIN audit_entry e ON e.session_id = s.session_id
  UNION ALL
  SELECT e.sequence, r.n, r.upto FROM req r JOIN audit_entry e ON e.occurred_at < r.before),
target AS (
  SELECT x.sequence, min(x.n) AS n FROM reached x JOIN audit_entry e ON e.sequence = x.sequence
  WHERE (x.upto IS NULL OR x.sequence <= x.upto) AND ${KEPT}
  GROUP BY x.sequence),
gone AS (DELETE FROM audit_entry_data d USING target t WHERE d.sequence = t.sequence RETURNING d.sequence, t.n),
stamped AS (
  UPDATE audit_entry e SET redacted_at = now(), redacted_by = r.by_event
  FROM gone g JOIN req r ON r.n = g.n WHERE e.sequence = g.sequence RETURNING g.n)
SELECT r.n::int AS n, (SELECT count(*) FROM stamped s WHERE s.n = r.n)::int AS redacted FROM req r ORDER BY r.n`;

/**
 * Erasure and purge for the audit trail: the data rows go, data_hash stays in the chain row
 * (stamped redacted), so the chain still verifies and proves what existed without showing it.
 */
@Injectable()
export class ErasureService {
  constructor(private readonly appender: ChainAppender) {}

  /**
   * Runs after a batch of events was queued for the chain, in the same transaction. Ordinary events
   * cost nothing here; the retention commands among them are applied together: one flush, one query
   * for the sessions of all their subjects, one redaction, one outbox clean-up.
   */
  async onRecorded(events: DomainEvent[], manager: EntityManager): Promise<void> {
    const commands = events.filter(isOurCommand);
    if (commands.length === 0) return;
    // Entries queued earlier in this transaction may concern the subjects: chain them before redacting.
    const chained = await this.appender.flush(manager);
    const upto = placesInChain(events, chained);
    const redactions = commands.map((event) => redactionOf(event, upto.get(event.id) ?? null));
    await this.addLinkedSessions(manager, redactions);
    const counts = await this.redact(manager, redactions);
    const erasures = redactions.filter((r) => r.trigger === 'erasure');
    const keys = erasures.flatMap((r) => [r.subjectRef as string, ...r.sessionIds]);
    if (keys.length > 0) await deleteSentOutbox(manager, keys);
    for (const [i, r] of redactions.entries()) await this.confirm(manager, r, counts[i]);
  }

  /** Sessions the trail links to each subject, added to those the command names. */
  private async addLinkedSessions(manager: EntityManager, redactions: Redaction[]): Promise<void> {
    const bySubject = redactions.filter((r) => r.subjectRef !== null);
    if (bySubject.length === 0) return;
    const rows: Array<{ n: number; sessions: string[] }> = await manager.query(SESSIONS_SQL, [bySubject.map((r) => r.subjectRef), bySubject.map((r) => r.upto)]);
    for (const { n, sessions } of rows) {
      const r = bySubject[n - 1];
      r.sessionIds = [...new Set([...r.sessionIds, ...sessions])];
    }
  }

  /** Deletes the data rows every command reaches; returns how many each one redacted, in order. */
  private async redact(manager: EntityManager, redactions: Redaction[]): Promise<number[]> {
    const sessions = redactions.flatMap((r, i) => r.sessionIds.map((id) => [i + 1, id] as const));
    const rows: Array<{ n: number; redacted: number }> = await manager.query(REDACT_SQL, [
      redactions.map((r) => r.event.id),
      redactions.map((r) => r.subjectRef),
      redactions.map((r) => r.before),
      redactions.map((r) => r.upto),
      sessions.map(([n]) => n),
      sessions.map(([, id]) => id),
    ]);
    return rows.map((r) => r.redacted);
  }

  /** The redaction is itself a step of the trail; the retention service hears the count. */
  private async confirm(manager: EntityManager, r: Redaction, redacted: number): Promise<void> {
    if (r.trigger === 'erasure') {
      const event = r.event as DomainEvent<ErasureRequestedData>;
      this.recordRedaction(manager, event, r.subjectRef, null, { trigger: 'erasure', requestId: event.data.requestId, entries: redacted });
      await confirmErasure(manager, PARTY, event, { audit_entry_data: redacted });
    } else {
      const event = r.event as DomainEvent<PurgeDueData>;
      const { purgeId, category, sessionId } = event.data;
      this.recordRedaction(manager, event, r.subjectRef, sessionId ?? null, { trigger: 'purge', purgeId, category, entries: redacted });
      await confirmPurge(manager, PARTY, event, { audit_entry_data: redacted });
    }
    auditMetrics.redacted.inc({ trigger: r.trigger }, redacted);
  }

  private recordRedaction(manager: EntityManager, cause: DomainEvent, subjectRef: string | null, sessionId: string | null, data: Record<string, unknown>) {
    this.appender.append(manager, {
      eventId: `${cause.id}:redaction`,
      type: AuditEntryTypes.DataRedacted,
      source: EventSources.AuditLog,
      subjectRef,
      sessionId,
      occurredAt: new Date(),
      data,
    });
  }
}

/** Erasure requests, and purges of the category this service owns; other purges are only recorded. */
function isOurCommand(event: DomainEvent): boolean {
  if (event.type === EventTypes.RetentionErasureRequested) return true;
  return event.type === EventTypes.RetentionPurgeDue && (event.data as PurgeDueData).category === 'audit_detail' && PURGE_OWNERS.audit_detail.includes(SERVICE);
}

/**
 * For each event of the batch, the last sequence chained up to and including it: what the chain
 * held when that event was applied, had the batch been applied one event at a time. Null when
 * nothing was chained by this flush (everything in the chain came before the batch).
 */
function placesInChain(events: DomainEvent[], chained: ChainedEntry[]): Map<string, number | null> {
  const sequenceOf = new Map(chained.map((e) => [e.eventId, e.sequence]));
  const ownIds = new Set(events.map((e) => e.id));
  const firstOwn = chained.find((e) => ownIds.has(e.eventId));
  // Entries queued before the batch were chained first; the batch starts after them.
  let last: number | null = chained.length === 0 ? null : firstOwn ? firstOwn.sequence - 1 : chained[chained.length - 1].sequence;
  const places = new Map<string, number | null>();
  for (const event of events) {
    last = sequenceOf.get(event.id) ?? last;
    places.set(event.id, last);
  }
  return places;
}

function redactionOf(event: DomainEvent, upto: number | null): Redaction {
  if (event.type === EventTypes.RetentionErasureRequested) {
    const { subjectRef, sessionIds } = event.data as ErasureRequestedData;
    return { event, trigger: 'erasure', subjectRef, sessionIds: sessionIds ?? [], before: null, upto };
  }
  const { subjectRef, sessionId, clockStartedBefore } = event.data as PurgeDueData;
  if (subjectRef || sessionId) return { event, trigger: 'purge', subjectRef: subjectRef ?? null, sessionIds: sessionId ? [sessionId] : [], before: null, upto };
  return { event, trigger: 'purge', subjectRef: null, sessionIds: [], before: clockStartedBefore ?? null, upto };
}
