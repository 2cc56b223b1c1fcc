import { isTerminalKycStatus, type KycStatus } from '@compliance/contracts';

/**
 * Tie-break between two statuses reported for the same provider second (Didit's `created_at` has
 * one-second resolution): the one later in a session's life wins. Resubmitted follows the decision
 * it reopens; on a tie between approved and declined the non-approving decision wins. Every status
 * has its own rank, so (event time, rank) orders all reports totally and any arrival order
 * converges to the same state.
 */
export const STATUS_RANK: Readonly<Record<KycStatus, number>> = {
  not_started: 0,
  in_progress: 1,
  awaiting_user: 2,
  in_review: 3,
  approved: 4,
  declined: 5,
  resubmitted: 6,
  abandoned: 7,
  expired: 8,
  kyc_expired: 9,
};

/** Where a session stands: its status and the position (event time, rank) that put it there. */
export interface SessionPosition {
  status: KycStatus;
  statusAt: Date;
  /** Order key of the decision data held (see decisionKey); null before any decision. */
  decisionKey: string | null;
}

export interface ReportFacts {
  kind: 'status' | 'data';
  status?: KycStatus;
  occurredAt: Date;
  /** Present when the report carries decision data. */
  decisionKey?: string;
}

/** How a report is marked in history. */
export type HistoryOutcome = 'transition' | 'repeat' | 'stale' | 'data_updated';

export interface Judgement {
  outcome: HistoryOutcome;
  /** The status changed: a `kyc.verification.<status>` transition event is due. */
  statusChanged: boolean;
  /** The report's decision data is newer than the one held and replaces it. */
  takeDecision: boolean;
  next: SessionPosition;
}

function comparePosition(a: { statusAt: Date; status: KycStatus }, b: { statusAt: Date; status: KycStatus }): number {
  return a.statusAt.getTime() - b.statusAt.getTime() || STATUS_RANK[a.status] - STATUS_RANK[b.status];
}

/**
 * Orders decision data: provider event time, then `data.updated` over a status report of the same
 * second (it corrects it), then status rank, then the content fingerprint so that two different
 * reports of the same second still order the same way on every replica and in every arrival order.
 */
export function decisionKey(facts: { kind: 'status' | 'data'; status?: KycStatus; occurredAt: Date }, fingerprint: string): string {
  const rank = facts.status ? STATUS_RANK[facts.status] : 0;
  return `${facts.occurredAt.toISOString()}|${facts.kind === 'data' ? 1 : 0}|${String(rank).padStart(2, '0')}|${fingerprint}`;
}

/** Decides what a report does to a session (undefined = first report of the session). Pure. */
export function judgeReport(current: SessionPosition | undefined, report: ReportFacts): Judgement {
  const takeDecision = report.decisionKey !== undefined && (!current?.decisionKey || report.decisionKey > current.decisionKey);
  const decisionKeyAfter = takeDecision ? (report.decisionKey as string) : (current?.decisionKey ?? null);
  if (!current) {
    if (!report.status || report.kind === 'data') throw new Error('the first report of a session must be a status report');
    return { outcome: 'transition', statusChanged: true, takeDecision, next: { status: report.status, statusAt: report.occurredAt, decisionKey: decisionKeyAfter } };
  }
  if (report.kind === 'data' || !report.status) {
    return { outcome: takeDecision ? 'data_updated' : 'stale', statusChanged: false, takeDecision, next: { ...current, decisionKey: decisionKeyAfter } };
  }
  const incoming = { status: report.status, statusAt: report.occurredAt };
  const order = comparePosition(incoming, current);
  if (order < 0) return { outcome: 'stale', statusChanged: false, takeDecision, next: { ...current, decisionKey: decisionKeyAfter } };
  // Same status again (not older): not a transition, but the position moves on so that a report
  // older than this one is recognised as stale.
  const statusChanged = incoming.status !== current.status;
  return {
    outcome: statusChanged ? 'transition' : 'repeat',
    statusChanged,
    takeDecision,
    next: { status: incoming.status, statusAt: order > 0 ? incoming.statusAt : current.statusAt, decisionKey: decisionKeyAfter },
  };
}

/**
 * When the session's terminal decision was (last) reported: the start of its retention clock. It
 * is derived from the position, so it converges like the status whatever the arrival order.
 */
export function decidedAtOf(position: SessionPosition): Date | null {
  return isTerminalKycStatus(position.status) ? position.statusAt : null;
}
