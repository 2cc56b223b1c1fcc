import type { EntityManager } from 'typeorm';
import {
  EventSources,
  EventTypes,
  isTerminalKycStatus,
  kycEventType,
  newEvent,
  Topics,
  validateEvent,
  type DecisionSummary,
  type KycChange,
  type KycIdentityAccessedData,
  type KycVerificationData,
  type ScreeningIdentity,
} from '@compliance/contracts';
import { addManyToOutbox, addToOutbox } from '@compliance/messaging';
import type { IdentityAttributes } from '../providers/verification-report';
import { verificationMetrics } from './verification.metrics';
import type { VerificationSession } from './verification-session.repository';

/** The decision summary as events and HTTP answers carry it (absent fields left out). */
export function decisionSummaryOf(session: VerificationSession): DecisionSummary | undefined {
  const summary: DecisionSummary = {};
  if (session.documentType) summary.documentType = session.documentType;
  if (session.issuingCountry) summary.issuingCountry = session.issuingCountry;
  if (session.livenessScore !== null) summary.livenessScore = session.livenessScore;
  if (session.faceMatchScore !== null) summary.faceMatchScore = session.faceMatchScore;
  if (session.ipRiskFlags) summary.ipRiskFlags = session.ipRiskFlags;
  if (session.providerAml) summary.providerAml = session.providerAml;
  return Object.keys(summary).length ? summary : undefined;
}

/** What screening needs from an identity; nothing when there is no name to screen. */
export function screeningIdentityOf(identity: IdentityAttributes | undefined): ScreeningIdentity | undefined {
  if (!identity?.fullName) return undefined;
  const out: ScreeningIdentity = { fullName: identity.fullName };
  if (identity.dateOfBirth) out.dateOfBirth = identity.dateOfBirth;
  if (identity.nationality) out.nationality = identity.nationality;
  if (identity.documentNumber) out.documentNumber = identity.documentNumber;
  return out;
}

/** What a `kyc.verification.<status>` event says: the session as the change left it. */
export interface Announcement {
  session: VerificationSession;
  change: KycChange;
  /** Provider time of what happened: the status report for a transition, the data report for data_updated. */
  occurredAt: Date;
  identity?: IdentityAttributes;
}

export function verificationEventData({ session, change, occurredAt, identity }: Announcement): KycVerificationData {
  const data: KycVerificationData = {
    sessionId: session.sessionId,
    provider: session.provider,
    status: session.status,
    previousStatus: session.previousStatus,
    occurredAt: occurredAt.toISOString(),
    change,
    terminal: isTerminalKycStatus(session.status),
  };
  if (session.subjectRef) data.subjectRef = session.subjectRef;
  if (session.workflowId) data.workflowId = session.workflowId;
  if (session.providerStatus) data.providerStatus = session.providerStatus;
  if (session.decidedAt) data.decidedAt = session.decidedAt.toISOString();
  const decision = decisionSummaryOf(session);
  if (decision) data.decision = decision;
  const screening = screeningIdentityOf(identity);
  if (screening) data.identity = screening;
  return data;
}

/** A `kyc.verification.<status>` event to announce: its data as of the change that caused it. */
export interface PlannedEvent {
  data: KycVerificationData;
  occurredAt: Date;
  causeTraceparent?: string;
}

/**
 * Writes `kyc.verification.<status>` events to the outbox in the caller's transaction, keyed by
 * session, in list order (one statement).
 */
export async function announceAll(m: EntityManager, planned: readonly PlannedEvent[]): Promise<void> {
  const entries = planned.map(({ data, occurredAt, causeTraceparent }) => {
    const event = newEvent({ type: kycEventType(data.status), source: EventSources.KycResults, subject: data.sessionId, time: occurredAt, data, causeTraceparent });
    // Our own events meet the contract, or the change is not committed at all.
    validateEvent(event);
    return { topic: Topics.KycVerifications, key: data.sessionId, event };
  });
  await addManyToOutbox(m, entries);
  for (const { data } of planned) verificationMetrics.transitions.inc({ status: data.status, change: data.change });
}

/** Writes `kyc.identity.accessed` to the outbox: who was shown which fields of the session's identity unmasked, and why (the reason given, if any). */
export async function recordIdentityAccess(
  m: EntityManager,
  access: { session: VerificationSession; accessedBy: string; role: string; reason?: string; fields: string[]; at: Date },
): Promise<void> {
  const data: KycIdentityAccessedData = {
    sessionId: access.session.sessionId,
    subjectRef: access.session.subjectRef ?? undefined,
    accessedBy: access.accessedBy,
    role: access.role,
    fields: access.fields,
    accessedAt: access.at.toISOString(),
    ...(access.reason ? { reason: access.reason } : {}),
  };
  const event = newEvent({ type: EventTypes.KycIdentityAccessed, source: EventSources.KycResults, subject: data.sessionId, time: access.at, data });
  validateEvent(event);
  await addToOutbox(m, Topics.KycVerifications, data.sessionId, event);
  verificationMetrics.identityReads.inc({ role: access.role });
}
