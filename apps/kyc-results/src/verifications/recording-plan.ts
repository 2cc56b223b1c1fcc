import { canonicalJson, type DecisionSummary, type KycChange, type KycStatus } from '@compliance/contracts';
import type { IdentityAttributes, VerificationReport } from '../providers/verification-report';
import { ErasedKeys } from '../retention/erasure-tombstones';
import type { HeldIdentity, IdentityVault } from './identity-vault';
import type { NewHistoryEntry } from './status-history.repository';
import { decisionSummaryOf, verificationEventData, type PlannedEvent } from './verification-events';
import type { StoredSession, VerificationSession } from './verification-session.repository';
import { decidedAtOf, decisionKey, judgeReport, type HistoryOutcome, type Judgement } from './verification-state';

export type { StoredSession } from './verification-session.repository';

/** The `webhook.received` event a report came in. */
export interface ReceivedWebhook {
  eventId: string;
  deliveryId: string;
  fingerprint: string;
  receivedAt: Date;
  traceparent?: string;
}

export interface ReportToRecord {
  report: VerificationReport;
  received: ReceivedWebhook;
}

export type RecordOutcome = HistoryOutcome | 'duplicate';

/** What a session's reports of one batch do to it; every list is tagged with the report's place in the batch. */
export interface SessionPlan {
  session: VerificationSession;
  /** The row existed before the batch (update) or is created by it (insert). */
  existed: boolean;
  /** Some report was not a duplicate: the row is written. */
  touched: boolean;
  /** Identity attributes to write under the current key (the last ones a report stored). */
  identity?: IdentityAttributes;
  /** The stored identity is to be deleted: a report showed the session belongs to an erased subject. */
  forgetIdentity: boolean;
  outcomes: Array<{ index: number; outcome: RecordOutcome }>;
  history: Array<{ index: number; row: NewHistoryEntry }>;
  events: Array<{ index: number; event: PlannedEvent }>;
}

/** Decision data for a session not seen yet: retried later, by when its status report has usually arrived. */
export class SessionNotYetKnownError extends Error {
  readonly code = 'KYC_SESSION_NOT_YET_KNOWN';
}

/** A session before its first report is judged: status, position and decision are set by applyJudgement. */
function newSession(report: VerificationReport): VerificationSession {
  return {
    sessionId: report.sessionId,
    provider: report.provider,
    subjectRef: report.subjectRef ?? null,
    workflowId: report.workflowId ?? null,
    status: report.status as KycStatus,
    previousStatus: null,
    providerStatus: null,
    statusAt: report.occurredAt,
    transitions: 0,
    decidedAt: null,
    documentType: null,
    issuingCountry: null,
    livenessScore: null,
    faceMatchScore: null,
    ipRiskFlags: null,
    providerAml: null,
    decisionKey: null,
    payloadVersion: report.payloadVersion,
    firstEventAt: report.occurredAt,
    lastEventAt: report.occurredAt,
    erasedAt: null,
  };
}

function applyDecisionSummary(session: VerificationSession, summary: DecisionSummary): void {
  session.documentType = summary.documentType ?? null;
  session.issuingCountry = summary.issuingCountry ?? null;
  session.livenessScore = summary.livenessScore ?? null;
  session.faceMatchScore = summary.faceMatchScore ?? null;
  session.ipRiskFlags = summary.ipRiskFlags ?? null;
  session.providerAml = summary.providerAml ?? null;
}

/** What an erasure removes from a session (as eraseSessions does in SQL): the subject reference and the decision summary. */
function forgetPerson(session: VerificationSession, erasedAt: Date): void {
  session.subjectRef = null;
  applyDecisionSummary(session, {});
  session.erasedAt = erasedAt;
}

/** Moves the session to where the judgement puts it. */
function applyJudgement(session: VerificationSession, report: VerificationReport, judgement: Judgement): void {
  if (judgement.statusChanged) {
    session.previousStatus = session.transitions === 0 ? null : session.status;
    session.providerStatus = report.providerStatus ?? null;
    session.transitions += 1;
  }
  session.status = judgement.next.status;
  session.statusAt = judgement.next.statusAt;
  session.decisionKey = judgement.next.decisionKey;
  session.decidedAt = decidedAtOf(judgement.next);
  // Once erased, neither the decision summary nor the subject reference is taken again from a late report.
  if (judgement.takeDecision && report.decision && !session.erasedAt) applyDecisionSummary(session, report.decision.summary);
  if (!session.subjectRef && report.subjectRef && !session.erasedAt) session.subjectRef = report.subjectRef;
  session.workflowId ??= report.workflowId ?? null;
  session.payloadVersion = report.payloadVersion;
  if (report.occurredAt < session.firstEventAt) session.firstEventAt = report.occurredAt;
  if (report.occurredAt > session.lastEventAt) session.lastEventAt = report.occurredAt;
}

function historyRow(session: VerificationSession, { report, received }: ReportToRecord, judgement: Judgement): NewHistoryEntry {
  return {
    sessionId: session.sessionId,
    eventId: received.eventId,
    deliveryId: received.deliveryId,
    fingerprint: received.fingerprint,
    webhookType: report.webhookType,
    payloadVersion: report.payloadVersion,
    status: report.status ?? null,
    providerStatus: report.providerStatus ?? null,
    previousStatus: judgement.statusChanged ? session.previousStatus : null,
    outcome: judgement.outcome,
    stale: judgement.outcome === 'stale',
    decisionApplied: judgement.takeDecision,
    occurredAt: report.occurredAt,
    receivedAt: received.receivedAt,
  };
}

/**
 * Applies one session's reports of a batch, in list order, to what the database holds for it
 * (`stored`, undefined for a session not recorded yet), in memory: the same rows, history and events
 * as recording them one by one. Throws SessionNotYetKnownError for decision data that comes before
 * any status of its session. A session whose id, or a subject a report names, was erased (`erased`:
 * the tombstones) is erased from that report on: its status and history are recorded, the person is
 * not (no subject reference, decision summary or identity stored or announced).
 */
export function planSession(
  stored: StoredSession | undefined,
  reports: Array<{ index: number; item: ReportToRecord }>,
  vault: IdentityVault,
  erased: ErasedKeys = ErasedKeys.NONE,
): SessionPlan {
  const plan: SessionPlan = { session: stored?.session as VerificationSession, existed: !!stored, touched: false, forgetIdentity: false, outcomes: [], history: [], events: [] };
  const recorded = new Set(stored?.recorded);
  let held: HeldIdentity | undefined = stored?.identity ? vault.heldFromRecord(stored.identity) : undefined;
  for (const { index, item } of reports) {
    const { report, received } = item;
    if (plan.session && recorded.has(received.fingerprint)) {
      plan.outcomes.push({ index, outcome: 'duplicate' });
      continue;
    }
    // A data report never creates a session: its time is not a status position, and using it as one would differ by arrival order.
    if (!plan.session && report.kind === 'data') throw new SessionNotYetKnownError(`decision data for session ${report.sessionId} before any status`);
    const first = !plan.session;
    const session = (plan.session ??= newSession(report));
    const erasedAt = session.erasedAt ? undefined : (erased.session(session.sessionId) ?? erased.subject(report.subjectRef) ?? erased.subject(session.subjectRef));
    if (erasedAt) {
      forgetPerson(session, erasedAt);
      plan.forgetIdentity = !!stored?.identity;
      plan.identity = undefined;
      held = undefined;
    }
    const summaryBefore = canonicalJson(decisionSummaryOf(session) ?? {});
    const key = report.decision ? decisionKey(report, received.fingerprint) : undefined;
    const position = first ? undefined : { status: session.status, statusAt: session.statusAt, decisionKey: session.decisionKey };
    const judgement = judgeReport(position, { kind: report.kind, status: report.status, occurredAt: report.occurredAt, decisionKey: key });
    applyJudgement(session, report, judgement);
    const identity = keepIdentity(held, session, report, judgement, vault);
    if (identity.held) {
      held = identity.held;
      plan.identity = report.decision?.identity;
    }
    recorded.add(received.fingerprint);
    plan.touched = true;
    plan.outcomes.push({ index, outcome: judgement.outcome });
    plan.history.push({ index, row: historyRow(session, item, judgement) });
    const summaryChanged = canonicalJson(decisionSummaryOf(session) ?? {}) !== summaryBefore;
    const change: KycChange | undefined = judgement.statusChanged ? 'transition' : summaryChanged || identity.stored ? 'data_updated' : undefined;
    if (!change) continue;
    // Every `approved` event carries the identity (screening keys its dedupe on it), as does any identity change.
    const carriesIdentity = (identity.changed || session.status === 'approved') && !session.erasedAt;
    const occurredAt = judgement.statusChanged ? session.statusAt : report.occurredAt;
    const data = verificationEventData({ session, change, occurredAt, identity: carriesIdentity && held ? vault.clearOf(held) : undefined });
    plan.events.push({ index, event: { data, occurredAt, causeTraceparent: received.traceparent } });
  }
  return plan;
}

/**
 * Takes newer identity attributes (never for an erased session). `changed` means they replaced
 * different ones, or arrived for an approved session: then screening must look again. A report
 * whose attributes equal the held ones under an older key re-encrypts them without announcing.
 */
function keepIdentity(held: HeldIdentity | undefined, session: VerificationSession, report: VerificationReport, judgement: Judgement, vault: IdentityVault) {
  const identity = report.decision?.identity;
  const none = { stored: false, changed: false, held: undefined };
  if (!judgement.takeDecision || !identity || session.erasedAt) return none;
  const found = vault.compareHeld(held, identity);
  if (found === 'same') return none;
  const next = vault.held(identity);
  if (found === 'same-under-older-key') return { ...none, held: next };
  return { stored: true, changed: found === 'changed' || session.status === 'approved', held: next };
}

/** The reports of a batch by session, each session's in list order, with their place in the batch. */
export function bySession(items: ReportToRecord[]): Map<string, Array<{ index: number; item: ReportToRecord }>> {
  const groups = new Map<string, Array<{ index: number; item: ReportToRecord }>>();
  items.forEach((item, index) => {
    const group = groups.get(item.report.sessionId) ?? [];
    group.push({ index, item });
    groups.set(item.report.sessionId, group);
  });
  return groups;
}

/** The history rows, events or outcomes of several sessions' plans, back in batch order. */
export function inBatchOrder<T extends { index: number }>(lists: T[][]): T[] {
  return lists.flat().sort((a, b) => a.index - b.index);
}
