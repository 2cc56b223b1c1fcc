/**
 * Failover measurements of a chaos run, from when each webhook was posted and when the pipeline
 * completed it (the Kafka timestamps of the records its completion produced). Pure: `npm run
 * chaos:cluster` feeds it, and the raw samples it keeps in the run's log folder can be measured again.
 */
import { EventTypes, Topics } from '../../libs/contracts/src';
import type { CollectedRecord } from '../../libs/messaging/src/testing';
import type { FaultRecord, SentWebhook } from './run';

/** One webhook that changed its session's status: first POST attempt → completion, ms since the epoch. */
export interface Sample {
  postedAt: number;
  completedAt: number;
}

const canonical = (status: string) => status.toLowerCase().replace(/ /g, '_');

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Completion of a webhook that changes its session's status: the kyc.verification.<status> transition
 * it causes, and for an approval the aml.screening.completed that follows. Duplicates and webhooks
 * older than the session's state change nothing and are not measured.
 */
export function samplesOf(sent: SentWebhook[], kycRecords: CollectedRecord[], screeningRecords: CollectedRecord[]): Sample[] {
  const transitions = new Map<string, number>();
  for (const r of kycRecords) {
    const d = r.event?.data as { change?: string; sessionId?: string; status?: string } | undefined;
    if (d?.change !== 'transition' || r.timestamp === undefined) continue;
    const key = `${d.sessionId}|${d.status}`;
    transitions.set(key, Math.min(transitions.get(key) ?? Infinity, r.timestamp));
  }
  const screened = new Map<string, number>();
  for (const r of screeningRecords) {
    const d = r.event?.data as { sessionId?: string; provider?: string } | undefined;
    if (r.event?.type !== EventTypes.AmlScreeningCompleted || d?.provider === 'didit' || !d?.sessionId || r.timestamp === undefined) continue;
    screened.set(d.sessionId, Math.min(screened.get(d.sessionId) ?? Infinity, r.timestamp));
  }
  const samples: Sample[] = [];
  for (const s of sent) {
    if (s.webhook.duplicateOf) continue;
    const transition = transitions.get(`${s.webhook.sessionId}|${canonical(s.webhook.status)}`);
    if (transition === undefined) continue;
    const completedAt = s.webhook.status === 'Approved' ? Math.max(transition, screened.get(s.webhook.sessionId) ?? transition) : transition;
    samples.push({ postedAt: s.firstAttemptAt, completedAt });
  }
  return samples;
}

/** Topics `samplesOf` reads. */
export const MEASURED_TOPICS = [Topics.KycVerifications, Topics.AmlScreenings] as const;

export interface FaultMeasure {
  id?: string;
  what: string;
  detail?: string;
  atSeconds: number;
  /** From the fault to the end of its run: restarted (and every partition fully replicated again, for a broker). */
  downSeconds: number;
  /** Completions per second (tracked webhooks) in the 10 s before the fault: what "flowing" means for it. */
  rateBefore: number;
  /**
   * From the fault until completions flow again: the 3-second rate back at half of `rateBefore` after
   * having fallen below it; 0 when it never fell.
   */
  flowAgainSeconds: number;
  /**
   * From the fault until the pipeline's backlog (posted, not yet completed) is back within two seconds'
   * worth of webhooks of where it was before the fault; 0 when it never left.
   */
  recoverySeconds: number;
  /** The recovery ran past the next fault, which then added to it: an upper bound. */
  overlapsNextFault: boolean;
  /** The longest time without a single completion, from the fault to its recovery. */
  stallSeconds: number;
  peakBacklog: number;
  /** Webhooks posted from the fault to its recovery (or the end of its run, if later), and their POST→completion. */
  posted: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface FailoverMeasures {
  samples: number;
  /** POST→completion of the webhooks posted while a fault was being recovered from. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** POST→completion of the webhooks posted 5–25 s after sending began, before the first fault. */
  p50BaselineMs: number;
  p99BaselineMs: number;
  p99AllMs: number;
  faults: FaultMeasure[];
  /** Per second from the start of sending: completions (3-second average) and backlog. */
  series: { completionsPerSecond: number[]; backlog: number[] };
}

function perSecond(times: number[], from: number, seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const t of times) {
    const k = Math.floor((t - from) / 1000);
    if (k >= 0 && k < seconds) counts[k]++;
  }
  return counts;
}

/** Posted and not yet completed, at the end of each second. */
function backlogSeries(samples: Sample[], from: number, seconds: number): number[] {
  const posted = perSecond(
    samples.map((s) => s.postedAt),
    from,
    seconds,
  );
  const completed = perSecond(
    samples.map((s) => s.completedAt),
    from,
    seconds,
  );
  const series: number[] = [];
  let backlog = samples.filter((s) => s.postedAt < from && s.completedAt >= from).length;
  for (let k = 0; k < seconds; k++) series.push((backlog += posted[k] - completed[k]));
  return series;
}

/** 3-second moving average ending with each second. */
const smooth = (counts: number[]) => counts.map((_, k) => (counts[k] + (counts[k - 1] ?? counts[k]) + (counts[k - 2] ?? counts[k])) / 3);

export function measureFailover(input: { samples: Sample[]; faults: FaultRecord[]; startedAt: number }): FailoverMeasures {
  const { samples, faults } = input;
  const T0 = input.startedAt;
  const latency = (s: Sample) => s.completedAt - s.postedAt;
  const seconds = Math.ceil((samples.reduce((n, s) => Math.max(n, s.completedAt), T0) - T0) / 1000) + 2;
  const sec = (t: number) => Math.min(seconds - 1, Math.max(0, Math.floor((t - T0) / 1000)));
  const rate = smooth(
    perSecond(
      samples.map((s) => s.completedAt),
      T0,
      seconds,
    ),
  );
  const backlog = backlogSeries(samples, T0, seconds);
  const firstFault = faults[0]?.startedAt ?? Infinity;
  // Completions stop when the sending does: no dip is looked for after it.
  const lastPosted = samples.reduce((n, s) => Math.max(n, s.postedAt), T0);
  const baseline = samples.filter((s) => s.postedAt >= T0 + 5000 && s.postedAt < Math.min(firstFault, T0 + 25_000)).map(latency);

  const measures = faults.map((f, i): FaultMeasure => {
    const T = f.startedAt;
    const next = faults[i + 1]?.startedAt ?? Infinity;
    const at = sec(T);
    const rateBefore = samples.filter((s) => s.completedAt >= T - 10_000 && s.completedAt < T).length / 10;
    const postedBefore = samples.filter((s) => s.postedAt >= T - 10_000 && s.postedAt < T).length / 10;
    // Completions flow again.
    let flowAt = T;
    const dip = rate.findIndex((r, k) => k >= at && T0 + k * 1000 < Math.min(next, T + 120_000, lastPosted - 3000) && r < rateBefore / 2);
    if (dip >= 0) {
      const back = rate.findIndex((r, k) => k > dip && r >= rateBefore / 2);
      flowAt = T0 + (back >= 0 ? back : seconds) * 1000;
    }
    // The backlog is back: the last second it is above its level before the fault (plus two seconds' worth), then one more.
    const limit = backlog[Math.max(0, at - 1)] + 2 * Math.max(postedBefore, 1);
    let lastAbove = -1;
    for (let k = at; k < seconds; k++) {
      if (backlog[k] > limit) {
        if (lastAbove < 0 && T0 + k * 1000 >= next) break; // it rose only with the next fault
        lastAbove = k;
      } else if (lastAbove >= 0 && k - lastAbove >= 3) break; // back for three seconds in a row
    }
    const recoveredAt = lastAbove >= 0 ? Math.max(T, T0 + (lastAbove + 1) * 1000) : T;
    const until = Math.max(recoveredAt, flowAt, T + 1000);
    let stall = 0;
    let prev = T;
    for (const c of samples
      .map((s) => s.completedAt)
      .filter((c) => c >= T && c <= until)
      .sort((a, b) => a - b)) {
      stall = Math.max(stall, c - prev);
      prev = c;
    }
    stall = Math.max(stall, until - prev);
    const during = samples.filter((s) => s.postedAt >= T && s.postedAt <= Math.max(until, f.endedAt)).map(latency);
    return {
      id: f.id,
      what: f.what,
      detail: f.detail,
      atSeconds: round((T - T0) / 1000),
      downSeconds: round((f.endedAt - T) / 1000),
      rateBefore: round(rateBefore),
      flowAgainSeconds: round((flowAt - T) / 1000),
      recoverySeconds: round((recoveredAt - T) / 1000),
      overlapsNextFault: recoveredAt > next,
      stallSeconds: round(stall / 1000),
      peakBacklog: Math.max(0, ...backlog.slice(at, sec(Math.min(recoveredAt, next)) + 1)),
      posted: during.length,
      p50Ms: Math.round(percentile(during, 50)),
      p99Ms: Math.round(percentile(during, 99)),
      maxMs: Math.round(during.reduce((n, v) => Math.max(n, v), 0)),
    };
  });
  const failover = samples
    .filter((s) => faults.some((f, i) => s.postedAt >= f.startedAt && s.postedAt <= f.startedAt + 1000 * Math.max(measures[i].recoverySeconds, measures[i].flowAgainSeconds, measures[i].downSeconds, 1)))
    .map(latency);
  return {
    samples: samples.length,
    p50Ms: Math.round(percentile(failover, 50)),
    p99Ms: Math.round(percentile(failover, 99)),
    maxMs: Math.round(failover.reduce((n, v) => Math.max(n, v), 0)),
    p50BaselineMs: Math.round(percentile(baseline, 50)),
    p99BaselineMs: Math.round(percentile(baseline, 99)),
    p99AllMs: Math.round(percentile(samples.map(latency), 99)),
    faults: measures,
    series: { completionsPerSecond: rate.map(round), backlog },
  };
}
