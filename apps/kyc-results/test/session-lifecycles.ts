import fc from 'fast-check';
import { KYC_STATUSES, type KycStatus } from '@compliance/contracts';
import { STATUS_RANK } from '../src/verifications/verification-state';

/** One provider report in a generated session life (test data for ordering properties). */
export interface LifecycleStep {
  sessionId: string;
  /** Position in the session's own (provider) order. */
  seq: number;
  kind: 'status' | 'data';
  status?: KycStatus;
  /** Provider event time in unix seconds. */
  occurredAt: number;
  /** Reports carrying decision data have a variant: the identity differs between variants. */
  decisionVariant?: number;
}

const stepArb = fc.record({
  kind: fc.constantFrom<'status' | 'data'>('status', 'status', 'status', 'data'),
  status: fc.constantFrom(...KYC_STATUSES),
  gap: fc.integer({ min: 0, max: 3 }),
  decisionVariant: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
});

/**
 * Session lives in provider order. Reports of the same second are allowed (Didit's `created_at`
 * has one-second resolution) when their status ranks after the current one, as the provider's own
 * order then agrees with (time, rank).
 */
export function lifecyclesArb(sessions: number, stepsPerSession: { min: number; max: number }, start = 1_767_225_600) {
  return fc.array(fc.array(stepArb, { minLength: stepsPerSession.min, maxLength: stepsPerSession.max }), {
    minLength: sessions,
    maxLength: sessions,
  }).map((lives) =>
    lives.map((steps, s) => {
      const sessionId = `session-${String(s).padStart(3, '0')}`;
      let time = start;
      let status: KycStatus | undefined;
      return steps.map((step, seq): LifecycleStep => {
        const first = seq === 0;
        const kind = first ? 'status' : step.kind;
        const sameSecondAllowed = kind === 'data' || (status !== undefined && STATUS_RANK[step.status] > STATUS_RANK[status]);
        time += step.gap === 0 && !sameSecondAllowed ? 1 : step.gap;
        if (kind === 'status') status = step.status;
        return { sessionId, seq, kind, status: kind === 'status' ? step.status : undefined, occurredAt: time, decisionVariant: step.decisionVariant ?? (kind === 'data' ? 0 : undefined) };
      });
    }),
  );
}


/** Sessions interleaved at random, each session's own order kept (what Kafka keys guarantee). */
export function interleave<T>(lives: T[][], random: () => number): T[] {
  const queues = lives.map((l) => [...l]).filter((q) => q.length);
  const out: T[] = [];
  while (queues.length) {
    const i = Math.floor(random() * queues.length);
    out.push(queues[i].shift() as T);
    if (queues[i].length === 0) queues.splice(i, 1);
  }
  return out;
}

/** A uniformly random order (provider retries deliver late reports in any order). */
export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Re-delivers about `share` of the items at a random later point (a redelivery never precedes its original). */
export function withRedeliveries<T>(stream: T[], share: number, random: () => number): T[] {
  const out = [...stream];
  for (const item of stream) {
    if (random() >= share) continue;
    const after = out.indexOf(item) + 1;
    out.splice(after + Math.floor(random() * (out.length - after + 1)), 0, item);
  }
  return out;
}

/** Re-exported so the specs keep one import for their arrival-order helpers. */
export { seededRandom } from '@compliance/testing';
