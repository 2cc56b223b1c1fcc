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
import { recordErasedRefs } from '../chain/chain.repository';
import { linkedSessions, redactEntries } from '../entries/entry.repository';

export const SERVICE = 'audit-log';
const PARTY = { service: SERVICE, source: EventSources.AuditLog };

/**
 * What one command redacts: the entries of a subject, of sessions, or that occurred before a time.
 * `upto` is the command's own entry (what the chain held when it arrived): a purge reaches the entries
 * chained up to it, and the sessions linked to an erasure's subject are those linked up to it.
 */
interface Redaction {
  event: DomainEvent;
  trigger: 'erasure' | 'purge';
  subjectRef: string | null;
  /** Sessions named by the command; those the trail links to `subjectRef` (up to the command) are added. */
  sessionIds: string[];
  before: string | null;
  upto: number | null;
}

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
   * for the sessions of all their subjects, one redaction, one record of what the erasures reached
   * (so that entries appended later of those subjects and sessions are chained redacted), one outbox
   * clean-up.
   */
  async onRecorded(events: DomainEvent[], manager: EntityManager): Promise<void> {
    const commands = events.filter(isOurCommand);
    if (commands.length === 0) return;
    // Entries queued earlier in this transaction may concern the subjects: chain them before redacting.
    const chained = await this.appender.flush(manager);
    const upto = placesInChain(events, chained);
    const redactions = commands.map((event) => redactionOf(event, upto.get(event.id) ?? null));
    await this.addLinkedSessions(manager, redactions);
    // An erasure also reaches the steps of its subject and sessions chained after it in this batch, as
    // it reaches those appended later (`audit_erased_ref`); a purge only what the chain held before it.
    const counts = await redactEntries(manager, redactions.map((r) => ({ ...r, byEvent: r.event.id, upto: r.trigger === 'erasure' ? null : r.upto })));
    const erasures = redactions.filter((r) => r.trigger === 'erasure');
    await recordErasedRefs(manager, erasures.flatMap((r) => [
      ...(r.subjectRef ? [{ kind: 'subject' as const, ref: r.subjectRef, erasedBy: r.event.id }] : []),
      ...r.sessionIds.map((ref) => ({ kind: 'session' as const, ref, erasedBy: r.event.id })),
    ]));
    const keys = erasures.flatMap((r) => [r.subjectRef as string, ...r.sessionIds]);
    if (keys.length > 0) await deleteSentOutbox(manager, keys);
    for (const [i, r] of redactions.entries()) await this.confirm(manager, r, counts[i]);
  }

  /** Sessions the trail links to each subject, added to those the command names. */
  private async addLinkedSessions(manager: EntityManager, redactions: Redaction[]): Promise<void> {
    const bySubject = redactions.filter((r) => r.subjectRef !== null);
    const linked = await linkedSessions(manager, bySubject.map((r) => ({ subjectRef: r.subjectRef as string, upto: r.upto })));
    for (const [i, sessions] of linked) {
      const r = bySubject[i];
      r.sessionIds = [...new Set([...r.sessionIds, ...sessions])];
    }
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
