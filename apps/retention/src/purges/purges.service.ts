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
import { activeHoldCondition } from '../legal-holds/active-holds';
import { isUuid } from '../sql';
import { retentionMetrics } from '../retention.metrics';

interface DueRow {
  unit: string;
  category: DataCategory;
  subject_ref: string | null;
  session_id: string | null;
  clock_started_at: Date;
  retention_days: number;
}

interface PurgeRow {
  purge_id: string;
  category: DataCategory;
  subject_ref: string | null;
  session_id: string | null;
  retention_days: number;
  due_at: Date;
  emitted_at: Date;
  confirmed: string[];
  held: boolean;
}

const BATCH = 500;

/**
 * Data past its policy: one `retention.purge.due` per (session or subject, category) and clock
 * start, never while the subject is under a legal hold, never for an indefinite policy.
 */
const DUE_SQL = `
  SELECT c.unit, c.category, c.subject_ref, c.session_id, c.clock_started_at, p.retention_days
  FROM retention_clocks c JOIN retention_policies p ON p.category = c.category
  WHERE c.clock_started_at IS NOT NULL AND p.retention_days IS NOT NULL
    AND c.clock_started_at + p.retention_days * interval '1 day' <= $1
    AND NOT EXISTS (SELECT 1 FROM purges x WHERE x.unit = c.unit AND x.category = c.category AND x.clock_started_at >= c.clock_started_at)
    AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.subject_ref = c.subject_ref AND ${activeHoldCondition('$1')})
  ORDER BY c.clock_started_at LIMIT ${BATCH}`;

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
        const due: DueRow[] = await m.query(DUE_SQL, [now]);
        let n = 0;
        for (const row of due) if (await this.emit(m, row, now)) n++;
        return { found: due.length, emitted: n };
      });
      total += emitted;
      more = found === BATCH;
    }
    return total;
  }

  private async emit(m: EntityManager, row: DueRow, now: Date): Promise<boolean> {
    const purgeId = randomUUID();
    const dueAt = new Date(row.clock_started_at.getTime() + row.retention_days * DAY_MS);
    const inserted = await m.query(
      `INSERT INTO purges (purge_id, unit, category, subject_ref, session_id, clock_started_at, retention_days, due_at, emitted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING 1`,
      [purgeId, row.unit, row.category, row.subject_ref, row.session_id, row.clock_started_at, row.retention_days, dueAt, now],
    );
    if (inserted.length === 0) return false;
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
      const overdue: PurgeRow[] = await m.query(
        `SELECT p.purge_id, p.category, p.subject_ref, p.session_id, p.retention_days, p.due_at, p.emitted_at,
                ARRAY(SELECT c.service FROM purge_confirmations c WHERE c.purge_id = p.purge_id) AS confirmed,
                EXISTS (SELECT 1 FROM legal_holds h WHERE h.subject_ref = p.subject_ref AND ${activeHoldCondition('$1')}) AS held
           FROM purges p
          WHERE p.completed_at IS NULL AND p.overdue_alerted_at IS NULL AND p.emitted_at <= $2
          ORDER BY p.emitted_at LIMIT 100 FOR UPDATE OF p SKIP LOCKED`,
        [now, cutoff],
      );
      for (const purge of overdue) await this.raiseOverdue(m, purge, now);
      return overdue.length;
    });
  }

  private async raiseOverdue(m: EntityManager, p: PurgeRow, now: Date): Promise<void> {
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
    await m.query('UPDATE purges SET overdue_alert_id = $2, overdue_alerted_at = $3, resent_at = $4 WHERE purge_id = $1', [p.purge_id, alertId, now, resent ? now : null]);
    retentionMetrics.purgesOverdue.inc();
  }

  /** An owner's confirmation; the purge is complete once every owner of its category confirmed. */
  async recordConfirmation(m: EntityManager, d: PurgeCompletedData): Promise<void> {
    const [purge] = isUuid(d.purgeId) ? await m.query('SELECT category FROM purges WHERE purge_id = $1', [d.purgeId]) : [];
    const owners = purge ? PURGE_OWNERS[purge.category as DataCategory] : [];
    if (!owners.includes(d.service)) {
      this.logger.warn({ purgeId: d.purgeId, service: d.service }, 'purge confirmation for an unknown purge or from a non-owner, ignored');
      return;
    }
    await m.query(
      'INSERT INTO purge_confirmations (purge_id, service, counts, completed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [d.purgeId, d.service, JSON.stringify(d.counts), d.completedAt],
    );
    await m.query(
      `UPDATE purges SET completed_at = $2 WHERE purge_id = $1 AND completed_at IS NULL
         AND (SELECT count(*) FROM purge_confirmations WHERE purge_id = $1 AND service = ANY($3)) = cardinality($3::text[])`,
      [d.purgeId, d.completedAt, owners],
    );
  }
}
