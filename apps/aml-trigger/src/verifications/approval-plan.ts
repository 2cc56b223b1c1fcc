import type { DomainEvent, KycVerificationData } from '@compliance/contracts';
import type { ScreeningOrder, ScreeningRequest } from '../screenings/screening-orders';
import type { ScreeningIdentity } from '../screenings/screening.types';

/** What one approval asks for: the provider's summary to record, then a person to screen, or a failure to report. */
export interface ApprovalPlan {
  providerSummary?: Extract<ScreeningOrder, { kind: 'provider_summary' }>;
  /** The person to screen and keep under monitoring, with what the screening request needs but its key. */
  screen?: { request: Omit<ScreeningRequest, 'dedupeKey'>; verifiedAt: string };
  unscreenable?: Extract<ScreeningOrder, { kind: 'unscreenable' }>;
}

export const UNSCREENABLE_REASON = 'the approved verification carries no name to screen';

/**
 * A verification approved, or its identity data changed while approved: the screenings it asks
 * for. `transition` screens for the approval, `data_updated` for the identity update; a data update
 * without identity changed nothing screenable (or follows an erasure); an approval without a name
 * is never skipped silently.
 */
export function planApproval(event: DomainEvent): ApprovalPlan {
  const data = event.data as KycVerificationData;
  const subjectRef = data.subjectRef ?? data.sessionId;
  const trigger = data.change === 'data_updated' ? 'identity_update' : 'approval';
  const base = { subjectRef, sessionId: data.sessionId, trigger, traceparent: event.traceparent } as const;
  const plan: ApprovalPlan = {};
  if (data.decision?.providerAml) {
    plan.providerSummary = { kind: 'provider_summary', request: { subjectRef, sessionId: data.sessionId, summary: data.decision.providerAml, traceparent: event.traceparent } };
  }
  // Opened by now when it was sealed (the handler opens the fetch's events first).
  const given = typeof data.identity === 'object' ? data.identity : undefined;
  const identity = given?.fullName?.trim() ? toIdentity(given) : undefined;
  if (identity) plan.screen = { request: { ...base, identity }, verifiedAt: data.occurredAt };
  else if (data.change !== 'data_updated') {
    plan.unscreenable = { kind: 'unscreenable', request: { ...base, dedupeKey: `unscreenable:${data.sessionId}:${trigger}` }, reason: UNSCREENABLE_REASON };
  }
  return plan;
}

/** One screening per (session, list version set, identity). */
export const approvalDedupeKey = (sessionId: string | undefined, listSet: string, identityDigest: string): string => `session:${sessionId}:${listSet}:${identityDigest}`;

/** Only the attributes screening uses; empty strings count as absent. */
export function toIdentity(i: Exclude<NonNullable<KycVerificationData['identity']>, string>): ScreeningIdentity {
  const clean = (v?: string) => (v && v.trim() ? v.trim() : undefined);
  return { fullName: i.fullName.trim(), dateOfBirth: clean(i.dateOfBirth), nationality: clean(i.nationality), documentNumber: clean(i.documentNumber) };
}
