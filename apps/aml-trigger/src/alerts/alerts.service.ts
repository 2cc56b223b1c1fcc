import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { EventSources, EventTypes, newEvent, Topics } from '@compliance/contracts';
import { addToOutbox } from '@compliance/persistence';
import { ServiceRuntime } from '@compliance/platform';
import type { ScreeningRef } from '../screenings/screening.repository';
import { eventKeyOf, hitKeyOf, type ScreeningVerdict } from '../screenings/screening.types';
import { failureSummary, hitDetails, hitSummary, kindOf, severityOf } from './alert-content';
import { claimNewHits, findAlert, insertAlert, recordReview, suppressHits, type AlertRow } from './alert.repository';
import type { AlertView } from './alerts.dto';

const alertsRaised =
  (register.getSingleMetric('aml_alerts_raised_total') as Counter | undefined) ??
  new Counter({ name: 'aml_alerts_raised_total', help: 'Alerts raised, by kind', labelNames: ['kind'] });

/** Alerts for humans: raised inside the screening's transaction, reviewed over HTTP. */
@Injectable()
export class AlertsService {
  constructor(private readonly runtime: ServiceRuntime) {}

  /** Raises one alert for the hits this subject has never been alerted to nor cleared; none if there are none. */
  async raiseForNewHits(m: EntityManager, s: ScreeningRef, verdict: ScreeningVerdict): Promise<string | undefined> {
    if (verdict.outcome === 'clear' || verdict.hits.length === 0) return undefined;
    const alertId = randomUUID();
    const fresh = await claimNewHits(m, s.subjectRef, alertId, [...new Set(verdict.hits.map(hitKeyOf))]);
    const newHits = verdict.hits.filter((h) => fresh.has(hitKeyOf(h)));
    if (newHits.length === 0) return undefined;
    const kind = kindOf(newHits, verdict);
    await this.raise(m, s, {
      id: alertId,
      kind,
      severity: severityOf(kind),
      hitKeys: [...fresh],
      summary: hitSummary(kind, s, newHits),
      details: hitDetails(alertId, s, verdict, newHits),
    });
    return alertId;
  }

  /** A screening that could not be done is never dropped silently: a human is told. */
  async raiseScreeningFailed(m: EntityManager, s: ScreeningRef, reason: string, attempts: number): Promise<string> {
    const id = randomUUID();
    await this.raise(m, s, {
      id,
      kind: 'aml_screening_failed',
      severity: 'high',
      hitKeys: [],
      summary: failureSummary(s, reason),
      details: { reason, attempts, provider: s.provider, trigger: s.trigger, screening: `GET /screenings/${s.id}` },
    });
    return id;
  }

  async find(id: string): Promise<AlertView> {
    const row = await findAlert(this.runtime.dataSource, id);
    if (!row) throw new NotFoundException({ statusCode: 404, code: 'ALERT_NOT_FOUND', message: `no alert ${id}` });
    return toView(row);
  }

  /** false_positive suppresses the alert's entities for this subject from now on; both decisions are published. */
  async review(id: string, decision: 'false_positive' | 'confirmed', reviewer: string, note?: string): Promise<AlertView> {
    const view = await this.runtime.dataSource.transaction(async (m) => {
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
    this.runtime.relay.kick();
    return view;
  }

  private async raise(m: EntityManager, s: ScreeningRef, a: { id: string; kind: string; severity: string; hitKeys: string[]; summary: string; details: Record<string, unknown> }): Promise<void> {
    const raisedAt = new Date().toISOString();
    await insertAlert(m, {
      id: a.id,
      kind: a.kind,
      severity: a.severity,
      subject_ref: s.subjectRef,
      session_id: s.sessionId ?? null,
      screening_id: s.id,
      hit_keys: a.hitKeys,
      summary: a.summary,
      details: a.details,
      raised_at: new Date(raisedAt),
    });
    const data = {
      alertId: a.id,
      kind: a.kind,
      severity: a.severity,
      subjectRef: s.subjectRef,
      ...(s.sessionId ? { sessionId: s.sessionId } : {}),
      screeningId: s.id,
      summary: a.summary,
      details: a.details,
      raisedAt,
    };
    const key = eventKeyOf(s);
    const event = newEvent({ type: EventTypes.ComplianceAlertRaised, source: EventSources.AmlTrigger, subject: key, data, time: raisedAt, causeTraceparent: s.traceparent ?? undefined });
    await addToOutbox(m, Topics.ComplianceAlerts, key, event);
    alertsRaised.inc({ kind: a.kind });
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
