import { randomUUID } from 'node:crypto';
import { EventSources, EventTypes, newEvent, Topics, type DomainEvent } from '@compliance/contracts';
import type { ScreeningRef } from '../screenings/screening.repository';
import { eventKeyOf, hitKeyOf, type ScreeningVerdict } from '../screenings/screening.types';
import { failureSummary, hitDetails, hitSummary, kindOf, severityOf } from './alert-content';
import type { AmlAlertKind, HitClaim, NewAlert } from './alert.repository';

/** An alert ready to be written: its row and its `compliance.alert.raised` for the outbox. */
export interface PreparedAlert {
  row: NewAlert;
  outbox: { topic: string; key: string; event: DomainEvent };
}

/** A finished screening that may need an alert, with the id its alert gets if it has new hits. */
export interface HitAlertCandidate {
  alertId: string;
  screening: ScreeningRef;
  verdict: ScreeningVerdict;
}

/** Hits need a human only when the outcome is not clear. */
export const needsHitAlert = (verdict: ScreeningVerdict): boolean => verdict.outcome !== 'clear' && verdict.hits.length > 0;

export const hitAlertCandidate = (screening: ScreeningRef, verdict: ScreeningVerdict): HitAlertCandidate => ({ alertId: randomUUID(), screening, verdict });

/**
 * The hit claims of several screenings, in their order: a hit an earlier screening of the list
 * claims for a subject is not claimed again by a later one, as claiming one by one would leave it.
 */
export function planHitClaims(candidates: HitAlertCandidate[]): HitClaim[] {
  const claimed = new Set<string>();
  const claims: HitClaim[] = [];
  for (const { alertId, screening, verdict } of candidates) {
    for (const hitKey of new Set(verdict.hits.map(hitKeyOf))) {
      const id = JSON.stringify([screening.subjectRef, hitKey]);
      if (claimed.has(id)) continue;
      claimed.add(id);
      claims.push({ subjectRef: screening.subjectRef, hitKey, alertId });
    }
  }
  return claims;
}

/** The alert for the hits a screening claimed (`fresh`, new to its subject); none when it claimed none. */
export function hitAlert(c: HitAlertCandidate, fresh: ReadonlySet<string> | undefined): PreparedAlert | undefined {
  const newHits = c.verdict.hits.filter((h) => fresh?.has(hitKeyOf(h)));
  if (newHits.length === 0) return undefined;
  const kind = kindOf(newHits, c.verdict);
  return prepare(c.screening, {
    id: c.alertId,
    kind,
    severity: severityOf(kind),
    hitKeys: [...new Set(newHits.map(hitKeyOf))],
    summary: hitSummary(kind, c.screening, newHits),
    details: hitDetails(c.alertId, c.screening, c.verdict, newHits),
  });
}

/** A screening that could not be done is never dropped silently: a human is told. */
export function failureAlert(s: ScreeningRef, reason: string, attempts: number): PreparedAlert {
  return prepare(s, {
    id: randomUUID(),
    kind: 'aml_screening_failed',
    severity: 'high',
    hitKeys: [],
    summary: failureSummary(s, reason),
    details: { reason, attempts, provider: s.provider, trigger: s.trigger, screening: `GET /screenings/${s.id}` },
  });
}

function prepare(s: ScreeningRef, a: { id: string; kind: AmlAlertKind; severity: string; hitKeys: string[]; summary: string; details: Record<string, unknown> }): PreparedAlert {
  const raisedAt = new Date().toISOString();
  const key = eventKeyOf(s);
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
  return {
    row: {
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
    },
    outbox: {
      topic: Topics.ComplianceAlerts,
      key,
      event: newEvent({ type: EventTypes.ComplianceAlertRaised, source: EventSources.AmlTrigger, subject: key, data, time: raisedAt, causeTraceparent: s.traceparent ?? undefined }),
    },
  };
}
