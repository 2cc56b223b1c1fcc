import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import {
  EventSources,
  EventTypes,
  newEvent,
  PURGE_OWNERS,
  Topics,
  type ComplianceAlertRaisedData,
  type DataCategory,
  type PurgeCompletedData,
  type PurgeDueData,
} from '@compliance/contracts';
import { addToOutbox } from '@compliance/messaging';
import { DAY_MS } from '../clock/clock';
import { RetentionConfig } from '../retention.config';
import { isUuid } from '../sql';
import { retentionMetrics } from '../retention.metrics';
import {
  completeIfConfirmed,
  dueClocks,
  insertPurge,
  insertPurgeConfirmation,
  lockOverduePurges,
  markOverdueAlerted,
  purgeCategory,
  type DueClockRow,
  type OverduePurgeRow,
} from './purge.repository';

/** Clocks due per transaction; a full batch means more may be due. */
const BATCH = 500;

/**
 * Data past its policy: one `retention.purge.due` per (session or subject, category) and clock
 * start, never while the subject is under a legal hold, never for an indefinite policy.
 */
@Injectable()
export class PurgesService {
  constructor(
    private readonly ds: DataSource,
    private readonly logger: PinoLogger,
    private readonly config: RetentionConfig,
  ) {}

  /** Emits the purges due at `now`; returns how many. A unique key makes concurrent sweeps (replicas) emit each once. */
  async emitDue(now: Date): Promise<number> {
    let total = 0;
    for (let more = true; more; ) {
      const { found, emitted } = await this.ds.transaction(async (m) => {
        const due = await dueClocks(m, now, BATCH);
        let n = 0;
        for (const row of due) if (await this.emit(m, row, now)) n++;
        return { found: due.length, emitted: n };
      });
      total += emitted;
      more = found === BATCH;
    }
    return total;
  }

  private async emit(m: EntityManager, row: DueClockRow, now: Date): Promise<boolean> {
    const purgeId = randomUUID();
    const dueAt = new Date(row.clock_started_at.getTime() + row.retention_days * DAY_MS);
    const inserted = await insertPurge(m, {
      purgeId,
      unit: row.unit,
      category: row.category,
      subjectRef: row.subject_ref,
      sessionId: row.session_id,
      clockStartedAt: row.clock_started_at,
      retentionDays: row.retention_days,
      dueAt,
      emittedAt: now,
    });
    if (!inserted) return false;
    await this.sendPurgeDue(m, { purgeId, category: row.category, subjectRef: row.subject_ref, sessionId: row.session_id, retentionDays: row.retention_days, dueAt, emittedAt: now });
    retentionMetrics.purgesDue.inc({ category: row.category });
    return true;
  }

  /** `retention.purge.due` through the outbox; the same purge sent again carries the same data. */
  private async sendPurgeDue(
    m: EntityManager,
    p: { purgeId: string; category: DataCategory; subjectRef: string | null; sessionId: string | null; retentionDays: number; dueAt: Date; emittedAt: Date },
    now = p.emittedAt,
  ): Promise<void> {
    // A session's purge names only the session: owners read subjectRef as "all of the subject's data".
    const data: PurgeDueData = {
      purgeId: p.purgeId,
      category: p.category,
      ...(p.sessionId ? { sessionId: p.sessionId } : { subjectRef: p.subjectRef as string }),
      clockStartedBefore: new Date(p.emittedAt.getTime() - p.retentionDays * DAY_MS).toISOString(),
      dueAt: p.dueAt.toISOString(),
    };
    const key = p.subjectRef ?? (p.sessionId as string);
    const event = newEvent({ type: EventTypes.RetentionPurgeDue, source: EventSources.Retention, subject: p.sessionId ?? key, data, time: now });
    await addToOutbox(m, Topics.RetentionCommands, key, event);
  }

  /**
   * Purges some owner has not confirmed within RETENTION_PURGE_DEADLINE_MS: each is sent once more
   * (owners purge idempotently; a subject now under a legal hold is not) and raises one
   * `purge_overdue` alert naming who is missing.
   */
  async handleOverdue(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.RETENTION_PURGE_DEADLINE_MS);
    return this.ds.transaction(async (m) => {
      const overdue = await lockOverduePurges(m, now, cutoff);
      for (const purge of overdue) await this.raiseOverdue(m, purge, now);
      return overdue.length;
    });
  }

  private async raiseOverdue(m: EntityManager, p: OverduePurgeRow, now: Date): Promise<void> {
    const waitingFor = PURGE_OWNERS[p.category].filter((s) => !p.confirmed.includes(s));
    const resent = !p.held;
    if (resent) {
      await this.sendPurgeDue(
        m,
        { purgeId: p.purge_id, category: p.category, subjectRef: p.subject_ref, sessionId: p.session_id, retentionDays: p.retention_days, dueAt: p.due_at, emittedAt: p.emitted_at },
        now,
      );
    }
    const alertId = randomUUID();
    const subjectRef = p.subject_ref ?? undefined;
    const deadlineAt = new Date(p.emitted_at.getTime() + this.config.RETENTION_PURGE_DEADLINE_MS);
    const data: ComplianceAlertRaisedData = {
      alertId,
      kind: 'purge_overdue',
      severity: 'medium',
      subjectRef,
      sessionId: p.session_id ?? undefined,
      summary: `purge ${p.purge_id} of ${p.category} not confirmed by its deadline: waiting for ${waitingFor.join(', ')}; ${resent ? 'sent again' : 'not sent again: the subject is under a legal hold'}`,
      details: { purgeId: p.purge_id, category: p.category, waitingFor, emittedAt: p.emitted_at.toISOString(), deadlineAt: deadlineAt.toISOString(), resent },
      raisedAt: now.toISOString(),
    };
    const key = p.subject_ref ?? (p.session_id as string);
    const event = newEvent({ id: alertId, type: EventTypes.ComplianceAlertRaised, source: EventSources.Retention, subject: p.session_id ?? key, data, time: now });
    await addToOutbox(m, Topics.ComplianceAlerts, key, event);
    await markOverdueAlerted(m, p.purge_id, alertId, now, resent ? now : null);
    retentionMetrics.purgesOverdue.inc();
  }

  /** An owner's confirmation; the purge is complete once every owner of its category confirmed. */
  async recordConfirmation(m: EntityManager, d: PurgeCompletedData): Promise<void> {
    const category = isUuid(d.purgeId) ? await purgeCategory(m, d.purgeId) : undefined;
    const owners = category ? PURGE_OWNERS[category] : [];
    if (!owners.includes(d.service)) {
      this.logger.warn({ purgeId: d.purgeId, service: d.service }, 'purge confirmation for an unknown purge or from a non-owner, ignored');
      return;
    }
    await insertPurgeConfirmation(m, { purgeId: d.purgeId, service: d.service, counts: d.counts, completedAt: d.completedAt });
    await completeIfConfirmed(m, d.purgeId, d.completedAt, owners);
  }
}
