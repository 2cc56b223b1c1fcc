/**
 * Chaos test on a three-broker cluster (`npm run chaos:cluster`): the chaos plan at 200 webhooks/s
 * (150 s of it by default) through two gateways and two replicas of every consumer service, on three
 * local KRaft nodes (replication factor 3, min.insync.replicas 2), while
 *
 *   1. the broker leading most partitions of webhooks.inbound.v1 is SIGKILLed, restarted 10 s later;
 *   2. the active controller (the KRaft quorum leader) is SIGKILLed, restarted 10 s later;
 *   3. one replica of each of the five services is SIGKILLed, restarted a second later;
 *   4. a broker (the one leading most of webhooks.inbound.v1 then) is frozen (SIGSTOP) for 30 s.
 *
 * After each broker fault the run waits until every partition is fully replicated again before the
 * next one. Then the same exact reconciliation as `npm run chaos` (run.ts, reconcile.ts), plus, from
 * the records' Kafka timestamps, POST→completion latencies and each fault's recovery; all written to
 * bench/chaos-cluster.json. Exits 1 when the reconciliation fails.
 *
 *   npm run chaos:cluster [-- --rate 200] [-- --seconds 150]
 *
 * Completion of a webhook that changes a session's status: the kyc.verification.<status> event it
 * causes, and for an approval the screening that follows (aml.screening.completed). Recovery of a
 * fault: from the fault until the pipeline's backlog (webhooks posted and not yet completed) is last
 * above its normal level (3× its median before the first fault, and at least one second of the
 * rate) before the next fault.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Admin } from 'kafkajs';
import { allTopics, EventTypes, Topics } from '../../libs/contracts/src';
import { createKafka, parseBrokers, TopicNamespace } from '../../libs/messaging/src';
import { activeController, clusterBrokers, kafkaVersion, killNode, pauseNode, resumeNode, startNode, stopBroker, type ClusterOptions } from '../kafka/broker';
import { REPO_ROOT } from '../stack/dev-secrets';
import { SERVICES, type Stack } from '../stack/stack';
import { summarize } from './reconcile';
import { log, runChaos, sleep, type ChaosRun, type Fault, type FaultRecord } from './run';

const args = parseArgs({ options: { rate: { type: 'string' }, seconds: { type: 'string' } } }).values;
const RATE = Number(args.rate ?? process.env.CHAOS_RATE ?? 200);
if (!(RATE > 0)) throw new Error('--rate takes a positive number of webhooks per second');
/** Seconds of sending: the faults are due at 25, 55, 85 and 105 s (the pause lasts 30 s), so 150 leaves 15 s after the last. */
const SECONDS = Number(args.seconds ?? process.env.CHAOS_SECONDS ?? 150);
if (!(SECONDS >= 140)) throw new Error('--seconds must be 140 or more: the faults take the first 135 s');
const WEBHOOKS = Number(process.env.CHAOS_WEBHOOKS ?? Math.round(RATE * SECONDS));
const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? Math.round(WEBHOOKS / 4));
const SEED = Number(process.env.CHAOS_SEED ?? 20261130);
const BROKERS = 3;
const REPLICAS = 2;
const KAFKA_PORT = Number(process.env.CHAOS_KAFKA_PORT ?? 19492);
const CLUSTER: ClusterOptions = { port: KAFKA_PORT, clusterSize: BROKERS };
const OUTPUT = join(REPO_ROOT, 'bench', 'chaos-cluster.json');
const PAUSE_MS = 30_000;
const RESTART_AFTER_MS = 10_000;

if (process.env.KAFKA_BROKERS) {
  // It kills and freezes brokers: only those of its own local cluster, never the ones KAFKA_BROKERS names.
  log(`KAFKA_BROKERS (${process.env.KAFKA_BROKERS}) is ignored: this run starts its own three brokers on ${clusterBrokers(CLUSTER)}`);
  delete process.env.KAFKA_BROKERS;
}

async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = createKafka({ brokers: parseBrokers(clusterBrokers(CLUSTER)), clientId: 'chaos-cluster-admin' }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The broker leading most partitions of a topic (fetchTopicMetadata). */
async function leaderOfMost(topic: string): Promise<{ node: number; led: number; of: number }> {
  const { topics } = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: [topic] }));
  const counts = new Map<number, number>();
  for (const p of topics[0].partitions) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  const [node, led] = [...counts.entries()].filter(([id]) => id > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  return { node, led, of: topics[0].partitions.length };
}

/** Waits until every partition of the run's topics and of __consumer_offsets has all its replicas in sync. */
async function waitInSync(namespace: string, timeoutMs = 180_000): Promise<void> {
  const ns = new TopicNamespace(namespace);
  const topics = [...allTopics().map((t) => ns.physical(t)), '__consumer_offsets'];
  const deadline = Date.now() + timeoutMs;
  let behind = -1;
  for (;;) {
    try {
      const meta = await withAdmin((admin) => admin.fetchTopicMetadata({ topics }));
      const partitions = meta.topics.flatMap((t) => t.partitions);
      behind = partitions.filter((p) => p.leader < 0 || p.isr.length < p.replicas.length).length;
      if (behind === 0) return;
    } catch {
      /* metadata unavailable for a moment: ask again */
    }
    if (Date.now() > deadline) throw new Error(`${behind} partitions still under-replicated ${timeoutMs / 1000} s after the fault`);
    await sleep(1000);
  }
}

function faults(namespace: string): Fault[] {
  const inbound = new TopicNamespace(namespace).physical(Topics.WebhooksInbound);
  const killAndRestart = async (node: number) => {
    await killNode(CLUSTER, node);
    await sleep(RESTART_AFTER_MS);
    await startNode(CLUSTER, node);
    await waitInSync(namespace);
  };
  return [
    {
      id: 'partition-leader-kill',
      atSeconds: 25,
      what: `SIGKILL the broker leading most partitions of ${Topics.WebhooksInbound}, restart it ${RESTART_AFTER_MS / 1000} s later`,
      run: async () => {
        const leader = await leaderOfMost(inbound);
        await killAndRestart(leader.node);
        return `node ${leader.node}, leader of ${leader.led}/${leader.of} partitions`;
      },
    },
    {
      id: 'controller-kill',
      atSeconds: 55,
      what: `SIGKILL the active controller (KRaft quorum leader), restart it ${RESTART_AFTER_MS / 1000} s later`,
      run: async () => {
        const quorum = activeController(CLUSTER);
        // Logged to show it: in KRaft, kafkajs' describeCluster().controller is a random live broker, not the quorum leader.
        const described = await withAdmin((admin) => admin.describeCluster()).then((c) => c.controller, () => undefined);
        if (!quorum) throw new Error('no node has recorded a quorum leader (quorum-state)');
        await killAndRestart(quorum.nodeId);
        return `node ${quorum.nodeId} (quorum epoch ${quorum.epoch}; describeCluster said ${described}); next leader: node ${activeController(CLUSTER)?.nodeId}`;
      },
    },
    {
      id: 'service-replica-kills',
      atSeconds: 85,
      what: 'SIGKILL one replica of each of the five services, restart them a second later',
      run: async (stack: Stack) => {
        await Promise.all(SERVICES.map((s) => stack.kill(s.name, 'SIGKILL', 1)));
        await sleep(1000);
        await Promise.all(SERVICES.map((s) => stack.startService(s.name, 1)));
        return SERVICES.map((s) => `${s.name}#1`).join(', ');
      },
    },
    {
      id: 'broker-pause',
      atSeconds: 105,
      what: `SIGSTOP a broker for ${PAUSE_MS / 1000} s, then SIGCONT`,
      run: async () => {
        const leader = await leaderOfMost(inbound);
        if (!pauseNode(CLUSTER, leader.node)) throw new Error(`node ${leader.node} is not running`);
        try {
          await sleep(PAUSE_MS);
        } finally {
          resumeNode(CLUSTER, leader.node);
        }
        await waitInSync(namespace);
        return `node ${leader.node}, leader of ${leader.led}/${leader.of} partitions`;
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Measurements: from the records' Kafka timestamps (set by the producing service as it sends)
// ---------------------------------------------------------------------------------------------

interface Sample {
  postedAt: number;
  completedAt: number;
}

const canonical = (status: string) => status.toLowerCase().replace(/ /g, '_');

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** POST (first attempt) → completion, for every webhook that changed its session's status. */
function samplesOf(run: ChaosRun): Sample[] {
  const transitions = new Map<string, number>();
  for (const r of run.reader.on(Topics.KycVerifications)) {
    const d = r.event?.data as { change?: string; sessionId?: string; status?: string } | undefined;
    if (d?.change !== 'transition' || r.timestamp === undefined) continue;
    const key = `${d.sessionId}|${d.status}`;
    transitions.set(key, Math.min(transitions.get(key) ?? Infinity, r.timestamp));
  }
  const screened = new Map<string, number>();
  for (const r of run.reader.on(Topics.AmlScreenings)) {
    const e = r.event;
    const d = e?.data as { sessionId?: string; provider?: string } | undefined;
    if (e?.type !== EventTypes.AmlScreeningCompleted || d?.provider === 'didit' || !d?.sessionId || r.timestamp === undefined) continue;
    screened.set(d.sessionId, Math.min(screened.get(d.sessionId) ?? Infinity, r.timestamp));
  }
  const samples: Sample[] = [];
  for (const s of run.sent.sent) {
    if (s.webhook.duplicateOf) continue;
    const transition = transitions.get(`${s.webhook.sessionId}|${canonical(s.webhook.status)}`);
    if (transition === undefined) continue;
    const completedAt = s.webhook.status === 'Approved' ? Math.max(transition, screened.get(s.webhook.sessionId) ?? transition) : transition;
    samples.push({ postedAt: s.firstAttemptAt, completedAt });
  }
  return samples;
}

/** Completions per second, second k covering [from + k s, from + k + 1 s). */
function perSecond(times: number[], from: number, to: number): number[] {
  const counts = new Array(Math.max(0, Math.ceil((to - from) / 1000))).fill(0);
  for (const t of times) if (t >= from && t < to) counts[Math.floor((t - from) / 1000)]++;
  return counts;
}

/** Webhooks posted and not yet completed, sampled each second from `from` to `to`. */
function backlogSeries(samples: Sample[], from: number, to: number): number[] {
  const deltas = samples.flatMap((s) => [
    { t: s.postedAt, d: 1 },
    { t: s.completedAt, d: -1 },
  ]);
  deltas.sort((a, b) => a.t - b.t);
  const series: number[] = [];
  let backlog = 0;
  let i = 0;
  for (let t = from; t <= to; t += 1000) {
    while (i < deltas.length && deltas[i].t <= t) backlog += deltas[i++].d;
    series.push(backlog);
  }
  return series;
}

interface FaultMeasure {
  id?: string;
  what: string;
  detail?: string;
  atSeconds: number;
  /** From the fault to the end of its run: restarted (and replicas in sync again, for a broker). */
  downSeconds: number;
  /** From the fault until completions flow again at 80 % of the normal rate (0 when they never fell below half of it). */
  recoverySeconds: number;
  /** The longest time without a single completion, from the fault to its recovery. */
  stallSeconds: number;
  /** From the fault until the backlog is back to its level before the fault; null when not before the next fault. */
  backlogBackSeconds: number | null;
  peakBacklog: number;
  /** POST→completion of the webhooks posted from the fault to its recovery (or the end of its run, if later). */
  posted: number;
  p99Ms: number;
  maxMs: number;
}

/** 3-second moving average of per-second counts, at each second. */
const smooth = (counts: number[]) => counts.map((_, k) => (counts[k] + (counts[k + 1] ?? counts[k]) + (counts[k + 2] ?? counts[k])) / 3);

function measure(run: ChaosRun) {
  const samples = samplesOf(run);
  const faultsRun = run.sent.faults;
  const T0 = run.startedAt;
  const firstFault = faultsRun[0]?.startedAt ?? Infinity;
  const latency = (s: Sample) => s.completedAt - s.postedAt;
  const end = samples.reduce((n, s) => Math.max(n, s.completedAt), T0) + 1000;
  const sec = (t: number) => Math.max(0, Math.floor((t - T0) / 1000));
  const rate = smooth(perSecond(samples.map((s) => s.completedAt), T0, end));
  const backlog = backlogSeries(samples, T0, end);
  // Normal: what the pipeline completes per second while it is busy (this machine may complete less than is offered).
  const sending = rate.slice(5, sec(T0 + run.sent.seconds * 1000));
  const normalRate = percentile(sending, 75);
  // The baseline: posted in the quiet seconds after warm-up, well before the first fault.
  const quiet = samples.filter((s) => s.postedAt >= T0 + 5000 && s.postedAt < Math.min(firstFault - 5000, T0 + 25_000));
  const baseline = quiet.map(latency);

  const measures: FaultMeasure[] = faultsRun.map((f: FaultRecord, i) => {
    const T = f.startedAt;
    const next = faultsRun[i + 1]?.startedAt ?? end;
    let recoveredAt = T;
    const dip = rate.findIndex((r, k) => k >= sec(T) && k < sec(next) && r < normalRate / 2);
    if (dip >= 0) {
      const back = rate.findIndex((r, k) => k > dip && r >= 0.8 * normalRate);
      recoveredAt = back >= 0 ? T0 + back * 1000 : end;
    }
    const before = backlog[Math.max(0, sec(T) - 1)] ?? 0;
    const backAt = backlog.findIndex((b, k) => k > sec(T) && k < sec(next) && b <= Math.max(before, normalRate));
    const completions = samples.map((s) => s.completedAt).filter((c) => c >= T && c <= Math.max(recoveredAt, T + 1000)).sort((a, b) => a - b);
    let stall = 0;
    let prev = T;
    for (const c of completions) {
      stall = Math.max(stall, c - prev);
      prev = c;
    }
    stall = Math.max(stall, Math.max(recoveredAt, T + 1000) - prev);
    const until = T + Math.max(recoveredAt - T, f.endedAt - T, 1000);
    const during = samples.filter((s) => s.postedAt >= T && s.postedAt <= until).map(latency);
    return {
      id: f.id,
      what: f.what,
      detail: f.detail,
      atSeconds: round((T - T0) / 1000),
      downSeconds: round((f.endedAt - T) / 1000),
      recoverySeconds: round((recoveredAt - T) / 1000),
      stallSeconds: round(stall / 1000),
      backlogBackSeconds: backAt >= 0 ? round((T0 + backAt * 1000 - T) / 1000) : null,
      peakBacklog: Math.max(0, ...backlog.slice(sec(T), sec(next))),
      posted: during.length,
      p99Ms: Math.round(percentile(during, 99)),
      maxMs: Math.round(Math.max(0, ...during)),
    };
  });
  // During failover: posted between a fault and its recovery (or the end of its run, if later).
  const failover = samples
    .filter((s) => faultsRun.some((f, i) => s.postedAt >= f.startedAt && s.postedAt <= f.startedAt + 1000 * Math.max(measures[i].recoverySeconds, measures[i].downSeconds)))
    .map(latency);
  const all = samples.map(latency);
  return {
    samples: samples.length,
    normalRate: round(normalRate),
    p99Ms: Math.round(percentile(failover, 99)),
    p50Ms: Math.round(percentile(failover, 50)),
    maxMs: Math.round(Math.max(0, ...failover)),
    p99BaselineMs: Math.round(percentile(baseline, 99)),
    p50BaselineMs: Math.round(percentile(baseline, 50)),
    p99AllMs: Math.round(percentile(all, 99)),
    faults: measures,
    // Per second from the start of sending: completions (3 s average) and backlog, for plots.
    series: { completionsPerSecond: rate.map((r) => round(r)), backlog },
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

async function report(run: ChaosRun): Promise<void> {
  const m = measure(run);
  const summary = summarize(run.rows);
  const kinds = (id: string) => run.sent.faults.filter((f) => f.id === id).length;
  const out = {
    at: new Date().toISOString(),
    machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    kafka: { version: kafkaVersion(), brokers: BROKERS, replicationFactor: 3, minInsyncReplicas: 2 },
    replicas: Object.fromEntries(SERVICES.map((s) => [s.name, run.stack.replicas(s.name)])),
    rate: RATE,
    achievedRate: round(run.sent.total / run.sent.seconds),
    webhooks: run.sent.total,
    sessions: run.plan.length,
    sendSeconds: round(run.sent.seconds),
    clientRetries: { attempts: run.sent.attempts, answers: run.sent.non2xx },
    // POST until the 2xx (retries included): what a provider waits for.
    acceptP50Ms: Math.round(percentile(run.sent.sent.map((s) => s.acceptedAt - s.firstAttemptAt), 50)),
    acceptP99Ms: Math.round(percentile(run.sent.sent.map((s) => s.acceptedAt - s.firstAttemptAt), 99)),
    passed: summary.passed,
    lost: summary.lost,
    lostByCheck: Object.fromEntries(run.rows.filter((r) => r.kind === 'count' && typeof r.expected === 'number' && typeof r.actual === 'number' && r.actual < r.expected).map((r) => [r.check, (r.expected as number) - (r.actual as number)])),
    duplicateEffects: summary.duplicateEffects,
    wrongEffects: summary.wrongEffects,
    deadLetters: summary.deadLetters,
    auditChainOk: summary.auditChainOk,
    brokerKills: kinds('partition-leader-kill') + kinds('controller-kill'),
    brokerPauses: kinds('broker-pause'),
    serviceKills: kinds('service-replica-kills') * SERVICES.length,
    recoverySeconds: Object.fromEntries(m.faults.map((f) => [f.id, f.recoverySeconds])),
    p99Ms: m.p99Ms,
    p50Ms: m.p50Ms,
    maxMs: m.maxMs,
    p99BaselineMs: m.p99BaselineMs,
    p50BaselineMs: m.p50BaselineMs,
    p99AllMs: m.p99AllMs,
    faults: m.faults,
    series: m.series,
    definitions: {
      completion: 'the kyc.verification.<status> transition a webhook causes; for an approval, the aml.screening.completed that follows (Kafka record timestamps)',
      latency: 'completion minus the first POST attempt of the webhook (client retries included)',
      recoverySeconds: `from the fault until completions (3 s moving average) are back at 80 % of the normal rate (${m.normalRate}/s: the 75th percentile while sending), after falling below half of it; 0 when they never did`,
      backlogBackSeconds: 'from the fault until the backlog (posted, not yet completed) is back to its level before the fault; null when not before the next fault',
      p99Ms: 'webhooks posted between a fault and its recovery (or the end of its restart, if later)',
      p99BaselineMs: 'webhooks posted 5-25 s after sending began, before the first fault',
      lost: 'expected effects missing, summed over the reconciliation checks (one lost webhook can count in several: its transition, its event, its screening); 0 means nothing lost',
      samples: m.samples,
    },
    reconciliation: run.rows.map(({ check, expected, actual, ok }) => ({ check, expected, actual, ok })),
    runSeconds: round((Date.now() - started) / 1000),
  };
  writeFileSync(OUTPUT, `${JSON.stringify(out, null, 2)}\n`);
  const table = m.faults.map(
    (f) =>
      `  ${(f.id ?? f.what).padEnd(22)} at ${String(f.atSeconds).padStart(5)} s  down ${String(f.downSeconds).padStart(5)} s  recovery ${String(f.recoverySeconds).padStart(5)} s  ` +
      `stall ${String(f.stallSeconds).padStart(5)} s  backlog back ${f.backlogBackSeconds ?? '—'} s  p99 ${f.p99Ms} ms  (${f.detail ?? ''})`,
  );
  process.stdout.write(
    `\nFailover (${m.samples} webhooks measured; normal completion rate ${m.normalRate}/s)\n${table.join('\n')}\n` +
      `  POST→completion p99 during failover ${m.p99Ms} ms (p50 ${m.p50Ms}, max ${m.maxMs}); before the faults p99 ${m.p99BaselineMs} ms; whole run p99 ${m.p99AllMs} ms\n` +
      `  lost ${summary.lost}, duplicate effects ${summary.duplicateEffects}, dead letters ${summary.deadLetters}; written to ${OUTPUT}\n`,
  );
}

const started = Date.now();
runChaos({
  label: 'chaoscl',
  rate: RATE,
  sessions: SESSIONS,
  webhooks: WEBHOOKS,
  seed: SEED,
  portBase: 3500,
  // Ten service processes have just joined their groups (each join a rebalance): let them settle first.
  settleSeconds: 15,
  stack: { kafkaPort: KAFKA_PORT, kafkaClusterSize: BROKERS, replicas: REPLICAS, partitions: 6 },
  faults,
  report,
  // A node restarted by a fault is another process than the one the stack started: stop every node by its pid file.
  cleanup: async () => void (await stopBroker(CLUSTER)),
})
  .then(() => log(`chaos:cluster finished in ${round((Date.now() - started) / 1000)} s${process.exitCode ? ' (FAILED)' : ''}`))
  .catch((err) => {
    process.stderr.write(`chaos:cluster crashed: ${err.stack ?? err}\n`);
    process.exit(1);
  });
