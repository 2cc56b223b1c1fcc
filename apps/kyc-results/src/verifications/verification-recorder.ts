import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { canonicalJson } from '@compliance/contracts';
import type { IdentityAttributes, VerificationReport } from '../providers/verification-report';
import { IdentityVault } from './identity-vault';
import { StatusHistoryEntry } from './status-history.entity';
import { announce } from './verification-events';
import { verificationMetrics } from './verification.metrics';
import { decidedAtOf, decisionKey, judgeReport, type HistoryOutcome, type Judgement } from './verification-state';
import { applyDecisionSummary, decisionSummaryOf, VerificationSession } from './verification-session.entity';

/** The `webhook.received` event a report came in. */
export interface ReceivedWebhook {
  eventId: string;
  deliveryId: string;
  fingerprint: string;
  receivedAt: Date;
  traceparent?: string;
}

export type RecordOutcome = HistoryOutcome | 'duplicate';

/** Columns the database owns (key, sequence, timestamps maintained by TypeORM). */
const NOT_UPDATED = ['sessionId', 'seq', 'createdAt', 'updatedAt'];

/** Decision data for a session not seen yet: retried later, by when its status report has usually arrived. */
export class SessionNotYetKnownError extends Error {
  readonly code = 'KYC_SESSION_NOT_YET_KNOWN';
}

function newSession(report: VerificationReport): VerificationSession {
  return Object.assign(new VerificationSession(), {
    sessionId: report.sessionId,
    provider: report.provider,
    subjectRef: report.subjectRef ?? null,
    workflowId: report.workflowId ?? null,
    previousStatus: null,
    providerStatus: null,
    transitions: 0,
    firstEventAt: report.occurredAt,
    lastEventAt: report.occurredAt,
    erasedAt: null,
    ...Object.fromEntries(['documentType', 'issuingCountry', 'livenessScore', 'faceMatchScore', 'ipRiskFlags', 'providerAml'].map((k) => [k, null])),
  });
}

/** Moves the session to where the judgement puts it (the session row is locked by the caller). */
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
  if (judgement.takeDecision && report.decision) applyDecisionSummary(session, report.decision.summary);
  // Once erased, the subject reference is not taken again from a late report of the same session.
  if (!session.subjectRef && report.subjectRef && !session.erasedAt) session.subjectRef = report.subjectRef;
  session.workflowId ??= report.workflowId ?? null;
  session.payloadVersion = report.payloadVersion;
  if (report.occurredAt < session.firstEventAt) session.firstEventAt = report.occurredAt;
  if (report.occurredAt > session.lastEventAt) session.lastEventAt = report.occurredAt;
}

/**
 * Records one provider report: orders it against the session (row-locked, so concurrent consumers
 * serialise per session), keeps it in history, stores decision data and identity, and announces
 * each status transition or decision-data change through the outbox, all in the caller's transaction.
 */
@Injectable()
export class VerificationRecorder {
  constructor(private readonly vault: IdentityVault) {}

  async record(m: EntityManager, report: VerificationReport, received: ReceivedWebhook, attempt = 0): Promise<RecordOutcome> {
    const existing = await m.findOne(VerificationSession, { where: { sessionId: report.sessionId }, lock: { mode: 'pessimistic_write' } });
    if (existing && (await m.exists(StatusHistoryEntry, { where: { sessionId: report.sessionId, fingerprint: received.fingerprint } }))) {
      verificationMetrics.duplicates.inc({ provider: report.provider });
      return 'duplicate';
    }
    // A data report never creates a session: its time is not a status position, and using it as one would differ by arrival order.
    if (!existing && report.kind === 'data') throw new SessionNotYetKnownError(`decision data for session ${report.sessionId} before any status`);
    const session = existing ?? newSession(report);
    const summaryBefore = canonicalJson(decisionSummaryOf(session) ?? {});
    const key = report.decision ? decisionKey(report, received.fingerprint) : undefined;
    const position = existing ? { status: existing.status, statusAt: existing.statusAt, decisionKey: existing.decisionKey } : undefined;
    const judgement = judgeReport(position, { kind: report.kind, status: report.status, occurredAt: report.occurredAt, decisionKey: key });
    applyJudgement(session, report, judgement);
    if (!existing && !(await this.insertIfAbsent(m, session))) {
      // Another consumer created the session meanwhile; its row now exists, so take the locked path.
      if (attempt > 0) throw new Error(`session ${report.sessionId} could neither be created nor locked`);
      return this.record(m, report, received, attempt + 1);
    }
    if (existing) await this.update(m, session);
    const identity = await this.keepIdentity(m, session, report, judgement, !existing);
    await m.insert(StatusHistoryEntry, this.historyEntry(session, report, received, judgement));
    if (judgement.outcome === 'stale') verificationMetrics.stale.inc({ provider: report.provider });
    await this.announceChange(m, session, report, received, judgement, {
      summaryChanged: canonicalJson(decisionSummaryOf(session) ?? {}) !== summaryBefore,
      ...identity,
    });
    return judgement.outcome;
  }

  private async insertIfAbsent(m: EntityManager, session: VerificationSession): Promise<boolean> {
    const result = await m.createQueryBuilder().insert().into(VerificationSession).values(session).orIgnore().returning(['session_id']).execute();
    return (result.raw as unknown[]).length > 0;
  }

  private async update(m: EntityManager, session: VerificationSession): Promise<void> {
    const fields = Object.fromEntries(Object.entries(session).filter(([column]) => !NOT_UPDATED.includes(column)));
    await m.update(VerificationSession, { sessionId: session.sessionId }, fields as Partial<VerificationSession>);
  }

  /**
   * Stores newer identity attributes (never for an erased session). `changed` means they replaced
   * different ones, or arrived for an approved session: then screening must look again.
   */
  private async keepIdentity(m: EntityManager, session: VerificationSession, report: VerificationReport, judgement: Judgement, isNew: boolean) {
    const identity = report.decision?.identity;
    if (!judgement.takeDecision || !identity || session.erasedAt) return { stored: false, changed: false };
    const found = isNew ? 'absent' : await this.vault.compare(m, session.sessionId, identity);
    if (found === 'same') return { stored: false, changed: false };
    await this.vault.store(m, session.sessionId, identity);
    // Same attributes under an older key: written again under the current one, nothing to announce.
    if (found === 'same-under-older-key') return { stored: false, changed: false };
    return { stored: true, changed: found === 'changed' || session.status === 'approved' };
  }

  private historyEntry(session: VerificationSession, report: VerificationReport, received: ReceivedWebhook, judgement: Judgement) {
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

  private async announceChange(
    m: EntityManager,
    session: VerificationSession,
    report: VerificationReport,
    received: ReceivedWebhook,
    judgement: Judgement,
    changes: { summaryChanged: boolean; stored: boolean; changed: boolean },
  ): Promise<void> {
    const change = judgement.statusChanged ? 'transition' : changes.summaryChanged || changes.stored ? 'data_updated' : undefined;
    if (!change) return;
    // Every `approved` event carries the identity (screening keys its dedupe on it), as does any identity change.
    const carriesIdentity = changes.changed || session.status === 'approved';
    const identity: IdentityAttributes | undefined = carriesIdentity && !session.erasedAt ? await this.vault.load(m, session.sessionId) : undefined;
    const occurredAt = judgement.statusChanged ? session.statusAt : report.occurredAt;
    await announce(m, { session, change, occurredAt, identity, causeTraceparent: received.traceparent });
  }
}
