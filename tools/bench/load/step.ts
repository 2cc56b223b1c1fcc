import type { Agent } from 'node:http';
import type { CompletionReader, MilestoneName } from './completion-reader';
import { sendOnSchedule, type Delivery } from './open-loop';
import { prepareApprovedWebhooks } from './webhooks';

export interface StepOptions {
  /** Gateway webhook URL, e.g. http://127.0.0.1:3000/webhooks/didit */
  url: string;
  secret: string;
  ratePerSec: number;
  seconds: number;
  agent: Agent;
  reader: CompletionReader;
  /** Longest wait after the last send for the remaining completions (default 30 s). */
  drainMaxMs?: number;
  /** Stop sending once completions are this many seconds of traffic behind (default 5 s). */
  abortBehindSec?: number;
  /** Called once the webhooks are built and signed, right before the schedule starts. */
  beforeSchedule?: () => Promise<void>;
  label?: string;
}

export interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  accepted: number;
  /** Non-2xx answers by status, network errors by code, "none" = no answer in time. */
  rejected: Record<string, number>;
  /** Accepted webhooks that reached aml.screening.completed by the end of the drain. */
  completed: number;
  /** Percentiles over the accepted webhooks from POST to the completion's Kafka timestamp; null when more than the tail never completed. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Least-squares growth of (posted − completed) over the sending window, per second. */
  backlogSlopePerSec: number;
  /** Posted but not completed when the last webhook went out. */
  backlogAtEnd: number;
  /** From the last send until the last completion (or the end of the wait). */
  drainMs: number;
  /** The schedule stopped early because completions fell far behind. */
  aborted: boolean;
  /**
   * Where the time went, per hop, over the accepted webhooks that reached both ends of it (Kafka
   * timestamps of the milestone records; see CompletionReader). The hops' percentiles do not add up
   * to the end-to-end ones: each is ranked on its own.
   */
  hops: HopLatency[];
  client: {
    /** Sends per second the client achieved (over its own sending window). */
    achievedRate: number;
    latenessP50Ms: number;
    latenessP99Ms: number;
    latenessMaxMs: number;
    /** Requests that waited for a free socket in the agent (peak, sampled twice a second). */
    queuedPeak: number;
    /** CPU the load client used during the step (both threads). */
    cpuMs: number;
  };
}

export interface HopLatency {
  /** The service the hop is spent in, from the record (or POST) before it to the record it publishes. */
  hop: string;
  from: string;
  to: string;
  /** Webhooks with both ends of the hop seen. */
  n: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** The hops of the measured path, in order: each from one milestone (or the POST) to the next. */
export const HOPS: Array<{ hop: string; from: 'post' | MilestoneName; to: MilestoneName }> = [
  { hop: 'webhook-gateway', from: 'post', to: 'received' },
  { hop: 'kyc-results', from: 'received', to: 'recorded' },
  { hop: 'aml-trigger', from: 'recorded', to: 'completed' },
  // aml-trigger's hop split at the event's creation: fetch and screening, then commit and relay.
  { hop: 'aml-trigger: fetch + screen', from: 'recorded', to: 'screened' },
  { hop: 'aml-trigger: commit + relay', from: 'screened', to: 'completed' },
];

/** p50 and p99 of each hop over the deliveries that reached both of its ends. */
export function hopLatencies(deliveries: Array<{ sessionId: string; postAt: number }>, reachedAt: Record<MilestoneName, Map<string, number>>): HopLatency[] {
  return HOPS.map(({ hop, from, to }) => {
    const spans: number[] = [];
    for (const d of deliveries) {
      const start = from === 'post' ? d.postAt : reachedAt[from].get(d.sessionId);
      const end = reachedAt[to].get(d.sessionId);
      if (start !== undefined && end !== undefined) spans.push(end - start);
    }
    spans.sort((a, b) => a - b);
    return { hop, from, to, n: spans.length, p50Ms: percentileWithMissing(spans, spans.length, 50), p99Ms: percentileWithMissing(spans, spans.length, 99) };
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Value at a rank over n items where `values` holds the known ones sorted; missing ones rank last. */
export function percentileWithMissing(sortedKnown: number[], n: number, p: number): number | null {
  if (n === 0) return null;
  const rank = Math.min(n - 1, Math.ceil((p / 100) * n) - 1);
  return rank < sortedKnown.length ? Math.round(sortedKnown[Math.max(0, rank)]) : null;
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/**
 * Backlog (posted − completed) sampled every 250 ms over [from, to], from the post times and the
 * completion timestamps alone, so it needs no sampling while the step runs.
 */
export function backlogSeries(postAts: number[], completedAts: number[], from: number, to: number): Array<[number, number]> {
  const posts = [...postAts].sort((a, b) => a - b);
  const done = [...completedAts].sort((a, b) => a - b);
  const points: Array<[number, number]> = [];
  let p = 0;
  let c = 0;
  for (let t = from; t <= to; t += 250) {
    while (p < posts.length && posts[p] <= t) p++;
    while (c < done.length && done[c] <= t) c++;
    points.push([(t - from) / 1000, p - c]);
  }
  return points;
}

const queuedIn = (agent: Agent) => Object.values(agent.requests).reduce((n, q) => n + (q?.length ?? 0), 0);

/** One step of a fixed rate: build and sign, send on schedule, wait for the drain, measure. */
export async function runStep(opts: StepOptions): Promise<StepResult> {
  const total = Math.round(opts.ratePerSec * opts.seconds);
  const webhooks = prepareApprovedWebhooks(total, opts.secret, opts.label);
  await opts.beforeSchedule?.();
  const cpuStart = process.cpuUsage();
  const completedAt = opts.reader.completedAt;
  const abortBehind = opts.ratePerSec * (opts.abortBehindSec ?? 5);
  let queuedPeak = 0;
  let seen = 0;
  let pending: Delivery[] = [];
  const shouldStop = (ds: Delivery[]) => {
    queuedPeak = Math.max(queuedPeak, queuedIn(opts.agent));
    pending = pending.concat(ds.slice(seen)).filter((d) => !completedAt.has(d.sessionId));
    seen = ds.length;
    const elapsedSec = (Date.now() - ds[0].postAt) / 1000;
    return elapsedSec >= 5 && pending.length > abortBehind;
  };
  const run = await sendOnSchedule({ url: opts.url, webhooks, ratePerSec: opts.ratePerSec, agent: opts.agent, shouldStop });
  const accepted = run.deliveries.filter((d) => d.status !== undefined && d.status >= 200 && d.status < 300);
  // Drain: until every accepted webhook completed, the wait is over, or nothing moved for 10 s
  // (an aborted step waits at most 10 s: it has failed already).
  const drainMax = run.stopped ? 10_000 : (opts.drainMaxMs ?? 30_000);
  const drainStart = Date.now();
  let last = -1;
  let lastMoved = Date.now();
  for (;;) {
    const done = accepted.filter((d) => completedAt.has(d.sessionId)).length;
    if (done === accepted.length || Date.now() - drainStart > drainMax || Date.now() - lastMoved > 10_000) break;
    if (done !== last) [last, lastMoved] = [done, Date.now()];
    await sleep(100);
  }
  const cpu = process.cpuUsage(cpuStart);
  return { ...summarise(opts, run, accepted, completedAt, queuedPeak, (cpu.user + cpu.system) / 1000), hops: hopLatencies(accepted, opts.reader.reachedAt) };
}

function summarise(
  opts: StepOptions,
  run: Awaited<ReturnType<typeof sendOnSchedule>>,
  accepted: Delivery[],
  completedAt: Map<string, number>,
  queuedPeak: number,
  cpuMs: number,
): Omit<StepResult, 'hops'> {
  const ds = run.deliveries;
  const rejected: Record<string, number> = {};
  for (const d of ds) {
    if (d.status !== undefined && d.status >= 200 && d.status < 300) continue;
    const key = d.error ?? String(d.status ?? 'none');
    rejected[key] = (rejected[key] ?? 0) + 1;
  }
  const latencies = accepted.filter((d) => completedAt.has(d.sessionId)).map((d) => (completedAt.get(d.sessionId) as number) - d.postAt).sort((a, b) => a - b);
  const completions = accepted.map((d) => completedAt.get(d.sessionId)).filter((t): t is number => t !== undefined);
  const lastCompletion = completions.length ? Math.max(...completions) : run.endedAt;
  // Skip the first 2 s: the backlog rises from zero to rate × latency there even when the pipeline keeps up.
  const series = backlogSeries(ds.map((d) => d.postAt), completions, Math.min(run.startedAt + 2000, run.endedAt), run.endedAt);
  const lateness = ds.map((d) => d.postAt - d.dueAt).sort((a, b) => a - b);
  const sendWindowSec = (run.endedAt - run.startedAt) / 1000;
  const backlogAtEnd = ds.length - completions.filter((t) => t <= run.endedAt).length;
  return {
    rate: opts.ratePerSec,
    seconds: opts.seconds,
    sent: ds.length,
    accepted: accepted.length,
    rejected,
    completed: latencies.length,
    p50Ms: percentileWithMissing(latencies, accepted.length, 50),
    p95Ms: percentileWithMissing(latencies, accepted.length, 95),
    p99Ms: percentileWithMissing(latencies, accepted.length, 99),
    maxMs: latencies.length === accepted.length && latencies.length ? Math.round(latencies[latencies.length - 1]) : null,
    backlogSlopePerSec: round(slope(series), 2),
    backlogAtEnd,
    drainMs: Math.round(Math.max(0, latencies.length === accepted.length ? lastCompletion - run.endedAt : Date.now() - run.endedAt)),
    aborted: run.stopped,
    client: {
      achievedRate: round(sendWindowSec > 0 ? (ds.length - 1) / sendWindowSec : 0, 1),
      latenessP50Ms: round(lateness[Math.floor(lateness.length * 0.5)] ?? 0, 1),
      latenessP99Ms: round(lateness[Math.min(lateness.length - 1, Math.floor(lateness.length * 0.99))] ?? 0, 1),
      latenessMaxMs: round(lateness[lateness.length - 1] ?? 0, 1),
      queuedPeak,
      cpuMs: Math.round(cpuMs),
    },
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
