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
import { confirmErasure, confirmPurge } from '@compliance/persistence';
import { AuditEntryTypes } from '../chain/audit-entry';
import { auditMetrics } from '../chain/audit.metrics';
import { ChainAppender } from '../chain/chain-appender';

export const SERVICE = 'audit-log';
const PARTY = { service: SERVICE, source: EventSources.AuditLog };

/** The retention protocol's own entries carry no personal data and are the proof erasure happened: they stay. */
const KEPT = `e.type NOT LIKE 'retention.%' AND e.type <> '${AuditEntryTypes.DataRedacted}'`;

/**
 * Erasure and purge for the audit trail: the data rows go, data_hash stays in the chain row
 * (stamped redacted), so the chain still verifies and proves what existed without showing it.
 */
@Injectable()
export class ErasureService {
  constructor(private readonly appender: ChainAppender) {}

  /** Runs after the command itself was appended, in the same transaction. */
  async onRecorded(event: DomainEvent, manager: EntityManager): Promise<void> {
    if (event.type !== EventTypes.RetentionErasureRequested && event.type !== EventTypes.RetentionPurgeDue) return;
    // Entries queued earlier in this transaction may concern the subject: chain them before redacting.
    await this.appender.flush(manager);
    if (event.type === EventTypes.RetentionErasureRequested) await this.erase(event as DomainEvent<ErasureRequestedData>, manager);
    if (event.type === EventTypes.RetentionPurgeDue) {
      const data = (event as DomainEvent<PurgeDueData>).data;
      if (data.category === 'audit_detail' && PURGE_OWNERS.audit_detail.includes(SERVICE)) await this.purge(event as DomainEvent<PurgeDueData>, manager);
    }
  }

  private async erase(event: DomainEvent<ErasureRequestedData>, manager: EntityManager): Promise<void> {
    const { requestId, subjectRef } = event.data;
    const sessions = await this.sessionsOf(manager, subjectRef, event.data.sessionIds ?? []);
    const redacted = await this.redact(manager, '(e.subject_ref = $2 OR e.session_id = ANY($3::text[]))', [subjectRef, sessions], event.id);
    await manager.query('DELETE FROM outbox WHERE sent_at IS NOT NULL AND key = ANY($1::text[])', [[subjectRef, ...sessions]]);
    this.recordRedaction(manager, event, subjectRef, { trigger: 'erasure', requestId, entries: redacted });
    await confirmErasure(manager, PARTY, event, { audit_entry_data: redacted });
    auditMetrics.redacted.inc({ trigger: 'erasure' }, redacted);
  }

  private async purge(event: DomainEvent<PurgeDueData>, manager: EntityManager): Promise<void> {
    const { purgeId, category, subjectRef, sessionId, clockStartedBefore } = event.data;
    let redacted: number;
    if (subjectRef || sessionId) {
      const sessions = subjectRef ? await this.sessionsOf(manager, subjectRef, sessionId ? [sessionId] : []) : [sessionId as string];
      redacted = await this.redact(manager, '(e.subject_ref = $2 OR e.session_id = ANY($3::text[]))', [subjectRef ?? null, sessions], event.id);
    } else {
      redacted = await this.redact(manager, 'e.occurred_at < $2', [clockStartedBefore], event.id);
    }
    this.recordRedaction(manager, event, subjectRef ?? null, { trigger: 'purge', purgeId, category, entries: redacted }, sessionId);
    await confirmPurge(manager, PARTY, event, { audit_entry_data: redacted });
    auditMetrics.redacted.inc({ trigger: 'purge' }, redacted);
  }

  /** The subject's sessions: those named in the command plus those the trail links to the subject. */
  private async sessionsOf(manager: EntityManager, subjectRef: string, named: string[]): Promise<string[]> {
    const rows: Array<{ session_id: string }> = await manager.query(
      'SELECT DISTINCT session_id FROM audit_entry WHERE subject_ref = $1 AND session_id IS NOT NULL',
      [subjectRef],
    );
    return [...new Set([...named, ...rows.map((r) => r.session_id)])];
  }

  /** Deletes the data rows matching `condition` ($2, $3... are `params`); returns how many. */
  private async redact(manager: EntityManager, condition: string, params: unknown[], byEventId: string): Promise<number> {
    const [{ n }] = await manager.query(
      `WITH target AS (
         SELECT e.sequence FROM audit_entry e JOIN audit_entry_data d ON d.sequence = e.sequence
         WHERE ${condition} AND ${KEPT}),
       gone AS (DELETE FROM audit_entry_data d USING target t WHERE d.sequence = t.sequence RETURNING d.sequence),
       stamped AS (UPDATE audit_entry e SET redacted_at = now(), redacted_by = $1 FROM gone WHERE e.sequence = gone.sequence RETURNING 1)
       SELECT count(*)::int AS n FROM stamped`,
      [byEventId, ...params],
    );
    return n;
  }

  /** The redaction is itself a step of the trail. */
  private recordRedaction(manager: EntityManager, cause: DomainEvent, subjectRef: string | null, data: Record<string, unknown>, sessionId?: string) {
    this.appender.append(manager, {
      eventId: `${cause.id}:redaction`,
      type: AuditEntryTypes.DataRedacted,
      source: EventSources.AuditLog,
      subjectRef,
      sessionId: sessionId ?? null,
      occurredAt: new Date(),
      data,
    });
  }
}
