import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Counter, register } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { EventSources, EventTypes, newEvent, Topics } from '@compliance/contracts';
import { addManyToOutbox, addToOutbox, OutboxRelay } from '@compliance/messaging';
import type { ScreeningRef } from '../screenings/screening.repository';
import { eventKeyOf, type ScreeningVerdict } from '../screenings/screening.types';
import { claimNewHits, findAlert, insertAlerts, recordReview, suppressHits, type AlertRow } from './alert.repository';
import { failureAlert, hitAlert, hitAlertCandidate, needsHitAlert, planHitClaims, type HitAlertCandidate, type PreparedAlert } from './prepared-alert';
import type { AlertView } from './alerts.dto';

const alertsRaised =
  (register.getSingleMetric('aml_alerts_raised_total') as Counter | undefined) ??
  new Counter({ name: 'aml_alerts_raised_total', help: 'Alerts raised, by kind', labelNames: ['kind'] });

/** Alerts for humans: raised inside the screening's transaction, reviewed over HTTP. */
@Injectable()
export class AlertsService {
  constructor(private readonly dataSource: DataSource, private readonly relay: OutboxRelay) {}

  /**
   * Claims, for finished screenings in order, the hits their subjects have never been alerted to
   * nor cleared (one statement for all): the keys each candidate's alert claimed, by alert id.
   */
  claimHits(m: EntityManager, candidates: HitAlertCandidate[]): Promise<Map<string, Set<string>>> {
    return claimNewHits(m, planHitClaims(candidates));
  }

  /** Writes prepared alerts in one statement; their events are the caller's to add to the outbox. */
  async store(m: EntityManager, alerts: PreparedAlert[]): Promise<void> {
    await insertAlerts(m, alerts.map((a) => a.row));
    for (const a of alerts) alertsRaised.inc({ kind: a.row.kind });
  }

  /** Raises one alert for the hits this subject has never been alerted to nor cleared; none if there are none. */
  async raiseForNewHits(m: EntityManager, s: ScreeningRef, verdict: ScreeningVerdict): Promise<string | undefined> {
    if (!needsHitAlert(verdict)) return undefined;
    const candidate = hitAlertCandidate(s, verdict);
    const alert = hitAlert(candidate, (await this.claimHits(m, [candidate])).get(candidate.alertId));
    if (alert) await this.raise(m, alert);
    return alert?.row.id;
  }

  /** A screening that could not be done is never dropped silently: a human is told. */
  async raiseScreeningFailed(m: EntityManager, s: ScreeningRef, reason: string, attempts: number): Promise<string> {
    const alert = failureAlert(s, reason, attempts);
    await this.raise(m, alert);
    return alert.row.id;
  }

  async find(id: string): Promise<AlertView> {
    const row = await findAlert(this.dataSource, id);
    if (!row) throw new NotFoundException({ statusCode: 404, code: 'ALERT_NOT_FOUND', message: `no alert ${id}` });
    return toView(row);
  }

  /** false_positive suppresses the alert's entities for this subject from now on; both decisions are published. */
  async review(id: string, decision: 'false_positive' | 'confirmed', reviewer: string, note?: string): Promise<AlertView> {
    const view = await this.dataSource.transaction(async (m) => {
      const row = await findAlert(m, id, true);
      if (!row) throw new NotFoundException({ statusCode: 404, code: 'ALERT_NOT_FOUND', message: `no alert ${id}` });
      if (row.status !== 'open') throw new ConflictException({ statusCode: 409, code: 'ALERT_ALREADY_REVIEWED', message: `alert was already reviewed as ${row.status}` });
      if (decision === 'false_positive' && row.hit_keys.length === 0) {
        throw new BadRequestException({ statusCode: 400, code: 'ALERT_HAS_NO_HITS', message: 'only an alert about watchlist hits can be a false positive' });
      }
      const at = new Date().toISOString();
      await recordReview(m, id, decision, reviewer, note, at);
      if (decision === 'false_positive') await suppressHits(m, row.subject_ref, id, row.hit_keys);
      const data = { alertId: id, resolution: decision, reviewer, ...(note ? { note } : {}), subjectRef: row.subject_ref, ...(row.session_id ? { sessionId: row.session_id } : {}), resolvedAt: at };
      const key = eventKeyOf({ sessionId: row.session_id, subjectRef: row.subject_ref });
      await addToOutbox(m, Topics.ComplianceAlerts, key, newEvent({ type: EventTypes.ComplianceAlertResolved, source: EventSources.AmlTrigger, subject: key, data, time: at }));
      return toView({ ...row, status: decision, reviewed_by: reviewer, reviewed_at: new Date(at), note: note ?? null });
    });
    this.relay.kick();
    return view;
  }

  private async raise(m: EntityManager, alert: PreparedAlert): Promise<void> {
    await this.store(m, [alert]);
    await addManyToOutbox(m, [alert.outbox]);
  }
}

export function toView(row: AlertRow): AlertView {
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    status: row.status,
    subjectRef: row.subject_ref,
    sessionId: row.session_id ?? undefined,
    screeningId: row.screening_id ?? undefined,
    summary: row.summary,
    hitKeys: row.hit_keys,
    details: row.details,
    raisedAt: new Date(row.raised_at).toISOString(),
    review: row.reviewed_at ? { by: row.reviewed_by ?? '', at: new Date(row.reviewed_at).toISOString(), note: row.note ?? undefined } : undefined,
  };
}
