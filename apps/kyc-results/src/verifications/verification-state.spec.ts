import fc from 'fast-check';
import type { KycStatus } from '@compliance/contracts';
import { interleave, lifecyclesArb, seededRandom, shuffle, withRedeliveries, type LifecycleStep } from '../../test/session-lifecycles';
import { decidedAtOf, decisionKey, judgeReport, STATUS_RANK, type ReportFacts, type SessionPosition } from './verification-state';

const at = (seconds: number) => new Date(seconds * 1000);
const statusReport = (status: KycStatus, seconds: number, withDecision = false): ReportFacts => {
  const facts = { kind: 'status' as const, status, occurredAt: at(seconds) };
  return { ...facts, decisionKey: withDecision ? decisionKey(facts, `${status}-${seconds}`) : undefined };
};

/** Applies reports in arrival order, as the consumer does, and records what each session emitted. */
function replay(steps: LifecycleStep[]) {
  const sessions = new Map<string, { position?: SessionPosition; emitted: Array<{ status: KycStatus; at: number }> }>();
  const queue = [...steps];
  for (let step = queue.shift(); step; step = queue.shift()) {
    const s = sessions.get(step.sessionId) ?? { emitted: [] };
    // The consumer retries decision data for a session it does not know yet (see VerificationRecorder).
    if (!s.position && step.kind === 'data') {
      queue.push(step);
      continue;
    }
    const facts = { kind: step.kind, status: step.status, occurredAt: at(step.occurredAt) };
    const key = step.decisionVariant === undefined ? undefined : decisionKey(facts, `${step.sessionId}/${step.seq}/${step.decisionVariant}`);
    const judgement = judgeReport(s.position, { ...facts, decisionKey: key });
    if (judgement.statusChanged) s.emitted.push({ status: judgement.next.status, at: judgement.next.statusAt.getTime() });
    s.position = judgement.next;
    sessions.set(step.sessionId, s);
  }
  return sessions;
}

const finalStates = (replayed: ReturnType<typeof replay>) =>
  new Map([...replayed].map(([id, s]) => [id, { ...s.position, decidedAt: s.position && decidedAtOf(s.position) }]));

describe('verification ordering', () => {
  it('keeps an approved session approved when an older In Progress arrives late, and marks the late one stale', () => {
    const approved = judgeReport(undefined, statusReport('approved', 100));
    const late = judgeReport(approved.next, statusReport('in_progress', 90));
    expect(late).toMatchObject({ outcome: 'stale', statusChanged: false, next: { status: 'approved' } });
  });

  it('orders two reports of the same second by status rank, whichever arrives first', () => {
    const a = judgeReport(judgeReport(undefined, statusReport('in_progress', 100)).next, statusReport('approved', 100));
    const b = judgeReport(judgeReport(undefined, statusReport('approved', 100)).next, statusReport('in_progress', 100));
    expect(a.next.status).toBe('approved');
    expect(b).toMatchObject({ outcome: 'stale', next: { status: 'approved' } });
  });

  it('counts a status reached again after Resubmitted as a new transition', () => {
    let position: SessionPosition | undefined;
    const outcomes = (['approved', 'resubmitted', 'in_progress', 'approved'] as KycStatus[]).map((status, i) => {
      const j = judgeReport(position, statusReport(status, 100 + i * 10));
      position = j.next;
      return j.outcome;
    });
    expect(outcomes).toEqual(['transition', 'transition', 'transition', 'transition']);
  });

  it('treats the same status reported later as a repeat that still moves the position on', () => {
    const first = judgeReport(undefined, statusReport('in_progress', 100));
    const repeat = judgeReport(first.next, statusReport('in_progress', 120));
    expect(repeat).toMatchObject({ outcome: 'repeat', statusChanged: false });
    expect(judgeReport(repeat.next, statusReport('awaiting_user', 110)).outcome).toBe('stale');
  });

  it('takes newer decision data from data.updated without a status change and ignores older data', () => {
    const approved = judgeReport(undefined, statusReport('approved', 100, true));
    const dataFacts = { kind: 'data' as const, occurredAt: at(150) };
    const updated = judgeReport(approved.next, { ...dataFacts, decisionKey: decisionKey(dataFacts, 'x') });
    expect(updated).toMatchObject({ outcome: 'data_updated', statusChanged: false, takeDecision: true, next: { status: 'approved' } });
    const oldFacts = { kind: 'data' as const, occurredAt: at(90) };
    expect(judgeReport(updated.next, { ...oldFacts, decisionKey: decisionKey(oldFacts, 'y') })).toMatchObject({ outcome: 'stale', takeDecision: false });
  });

  it('starts the retention clock when a terminal status is reported and stops it on Resubmitted', () => {
    const approved = judgeReport(undefined, statusReport('approved', 100)).next;
    expect(decidedAtOf(approved)).toEqual(at(100));
    expect(decidedAtOf(judgeReport(approved, statusReport('resubmitted', 200)).next)).toBeNull();
  });
});

// endOnFailure: shrinking 1,000-report streams takes minutes; the failing seed is printed instead.
describe('verification ordering properties (1,000 reports for 100 sessions)', () => {
  const lives = lifecyclesArb(100, { min: 10, max: 10 });

  it('converges to the ordered stream’s final states and transition counts when sessions interleave and reports are redelivered', () => {
    fc.assert(
      fc.property(lives, fc.integer(), (sessions, seed) => {
        const random = seededRandom(seed);
        const ordered = replay(sessions.flat());
        const arrived = replay(withRedeliveries(interleave(sessions, random), 0.3, random));
        expect(finalStates(arrived)).toEqual(finalStates(ordered));
        for (const [id, s] of ordered) expect(arrived.get(id)?.emitted).toEqual(s.emitted);
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });

  it('converges to the same final states when reports arrive in any order, emitting only forward transitions', () => {
    fc.assert(
      fc.property(lives, fc.integer(), (sessions, seed) => {
        const random = seededRandom(seed);
        const ordered = replay(sessions.flat());
        const arrived = replay(withRedeliveries(shuffle(sessions.flat(), random), 0.3, random));
        expect(finalStates(arrived)).toEqual(finalStates(ordered));
        for (const [id, s] of arrived) {
          const full = ordered.get(id)?.emitted ?? [];
          // What was emitted is a subsequence of the ordered transitions, ending at the same status.
          expect(s.emitted.length).toBeLessThanOrEqual(full.length);
          expect(s.emitted.at(-1)?.status).toBe(ordered.get(id)?.position?.status);
          const positions = s.emitted.map((e) => e.at * 100 + STATUS_RANK[e.status]);
          positions.slice(1).forEach((p, i) => expect(p).toBeGreaterThan(positions[i]));
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });
});
