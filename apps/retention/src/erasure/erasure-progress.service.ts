import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { EventSources, EventTypes, newEvent, Topics, type ComplianceAlertRaisedData, type ErasureCompletedData, type ErasureFinishedData } from '@compliance/contracts';
import { addToOutbox } from '@compliance/messaging';
import { Clock } from '../clock/clock';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { RetentionConfig } from '../retention.config';
import { retentionMetrics } from '../retention.metrics';
import { isUuid } from '../sql';
import {
  confirmationsByService,
  confirmedServices,
  insertConfirmation,
  lockOverdueRequests,
  lockRequest,
  markFinished,
  markOverdueAlerted,
  providerDeletionCount,
  providerDeletionsOf,
  requestExists,
  type ErasureRequestRow,
} from './erasure-request.repository';

/**
 * Confirmations of a dispatched erasure: it is `finished` only when every expected service has
 * confirmed (and, when enabled, the provider was asked to delete each session); one alert when
 * that takes longer than RETENTION_ERASURE_DEADLINE_MS.
 */
@Injectable()
export class ErasureProgressService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: RetentionConfig,
    private readonly logger: PinoLogger,
    private readonly lifecycle: LifecycleService,
  ) {}

  /** A service's `retention.erasure.completed`; the first confirmation per service counts (repeats report 0). */
  async recordConfirmation(m: EntityManager, d: ErasureCompletedData): Promise<void> {
    const known = isUuid(d.requestId) && (await requestExists(m, d.requestId));
    if (!known) {
      this.logger.warn({ requestId: d.requestId, service: d.service }, 'erasure confirmation for an unknown request, ignored');
      return;
    }
    await insertConfirmation(m, { requestId: d.requestId, service: d.service, counts: d.counts, completedAt: d.completedAt });
    await this.tryFinish(m, d.requestId);
  }

  /** Finishes the request when nothing is missing; the row lock serialises confirmations and provider outcomes. */
  async tryFinish(m: EntityManager, id: string): Promise<boolean> {
    const req = await lockRequest(m, id);
    if (req?.status !== 'in_progress') return false;
    const confirmations = await confirmationsByService(m, id);
    if (req.expected_services.some((s) => !confirmations.some((c) => c.service === s))) return false;
    const provider = await providerDeletionsOf(m, id);
    if (req.provider_deletion && provider.length < req.session_ids.length) return false;
    const now = this.clock.now();
    await markFinished(m, id, now);
    await this.lifecycle.forgetErased(m, req.subject_ref, req.session_ids);
    const data: ErasureFinishedData = {
      requestId: id,
      subjectRef: req.subject_ref,
      status: 'finished',
      legalHoldId: req.legal_hold_id ?? undefined,
      services: confirmations.map((c) => ({ service: c.service, completedAt: c.completed_at.toISOString(), counts: c.counts })),
      provider: req.provider_deletion
        ? provider.map((p) => ({ sessionId: p.session_id, outcome: p.outcome, httpStatus: p.http_status ?? undefined, attempts: p.attempts }))
        : undefined,
      ...(req.keys_destroyed !== null ? { keysDestroyed: req.keys_destroyed } : {}),
      finishedAt: now.toISOString(),
    };
    const event = newEvent({ type: EventTypes.RetentionErasureFinished, source: EventSources.Retention, subject: req.subject_ref, data, time: now });
    await addToOutbox(m, Topics.RetentionEvents, req.subject_ref, event);
    retentionMetrics.erasuresFinished.inc();
    return true;
  }

  /** One `erasure_overdue` alert per request not finished within the deadline after dispatch. */
  async raiseOverdue(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.RETENTION_ERASURE_DEADLINE_MS);
    return this.ds.transaction(async (m) => {
      const overdue = await lockOverdueRequests(m, cutoff);
      for (const req of overdue) await this.raiseAlert(m, req, now);
      return overdue.length;
    });
  }

  private async raiseAlert(m: EntityManager, req: ErasureRequestRow, now: Date): Promise<void> {
    const confirmed = await confirmedServices(m, req.id);
    const waitingFor = req.expected_services.filter((s) => !confirmed.includes(s));
    const providerDone = await providerDeletionCount(m, req.id);
    const providerPending = req.provider_deletion ? req.session_ids.length - providerDone : 0;
    const alertId = randomUUID();
    const deadlineAt = new Date((req.dispatched_at as Date).getTime() + this.config.RETENTION_ERASURE_DEADLINE_MS);
    const data: ComplianceAlertRaisedData = {
      alertId,
      kind: 'erasure_overdue',
      severity: 'high',
      subjectRef: req.subject_ref,
      erasureRequestId: req.id,
      summary: `erasure request ${req.id} not finished by its deadline: waiting for ${[...waitingFor, ...(providerPending ? [`provider deletion of ${providerPending} session(s)`] : [])].join(', ')}`,
      details: { waitingFor, providerDeletionsPending: providerPending, dispatchedAt: req.dispatched_at?.toISOString(), deadlineAt: deadlineAt.toISOString() },
      raisedAt: now.toISOString(),
    };
    const event = newEvent({ id: alertId, type: EventTypes.ComplianceAlertRaised, source: EventSources.Retention, subject: req.subject_ref, data, time: now });
    await addToOutbox(m, Topics.ComplianceAlerts, req.subject_ref, event);
    await markOverdueAlerted(m, req.id, alertId, now);
    retentionMetrics.erasuresOverdue.inc();
  }
}
