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
 * After each broker fault the run waits (30 s at most) until every partition is fully replicated
 * again before the next one. Then the same exact reconciliation as `npm run chaos` (run.ts, reconcile.ts), plus, from
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
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Admin } from 'kafkajs';
import { allTopics, Topics } from '../../libs/contracts/src';
import { createKafka, parseBrokers, TopicNamespace } from '../../libs/messaging/src';
import { activeController, clusterBrokers, clusterNodes, kafkaVersion, killNode, pauseNode, resumeNode, startNode, stopBroker, type ClusterOptions } from '../kafka/broker';
import { REPO_ROOT } from '../stack/dev-secrets';
import { SERVICES, type Stack } from '../stack/stack';
import { measureFailover, percentile, samplesOf } from './failover';
import { summarize } from './reconcile';
import { log, runChaos, sleep, type ChaosRun, type Fault } from './run';

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

/**
 * Waits until every partition of the run's topics and of __consumer_offsets has all its replicas in
 * sync again, for at most `timeoutMs`: the next fault then finds three copies of everything, or — when
 * the restarted node is still catching up — partitions with two, as a cluster under load would.
 */
async function waitInSync(namespace: string, timeoutMs = 30_000): Promise<string> {
  const ns = new TopicNamespace(namespace);
  const topics = [...allTopics().map((t) => ns.physical(t)), '__consumer_offsets'];
  const deadline = Date.now() + timeoutMs;
  let behind = -1;
  for (;;) {
    try {
      const meta = await withAdmin((admin) => admin.fetchTopicMetadata({ topics }));
      const partitions = meta.topics.flatMap((t) => t.partitions);
      behind = partitions.filter((p) => p.leader < 0 || p.isr.length < p.replicas.length).length;
      if (behind === 0) return 'all partitions in sync';
    } catch {
      /* metadata unavailable for a moment: ask again */
    }
    if (Date.now() > deadline) return `${behind} partitions still catching up after ${timeoutMs / 1000} s`;
    await sleep(1000);
  }
}

function faults(namespace: string): Fault[] {
  const inbound = new TopicNamespace(namespace).physical(Topics.WebhooksInbound);
  const killAndRestart = async (node: number) => {
    await killNode(CLUSTER, node);
    await sleep(RESTART_AFTER_MS);
    await startNode(CLUSTER, node);
    return waitInSync(namespace);
  };
  return [
    {
      id: 'partition-leader-kill',
      atSeconds: 25,
      what: `SIGKILL the broker leading most partitions of ${Topics.WebhooksInbound}, restart it ${RESTART_AFTER_MS / 1000} s later`,
      run: async () => {
        const leader = await leaderOfMost(inbound);
        const sync = await killAndRestart(leader.node);
        return `node ${leader.node}, leader of ${leader.led}/${leader.of} partitions; ${sync}`;
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
        const sync = await killAndRestart(quorum.nodeId);
        return `node ${quorum.nodeId} (quorum epoch ${quorum.epoch}; describeCluster said ${described}); next leader: node ${activeController(CLUSTER)?.nodeId}; ${sync}`;
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
        const sync = await waitInSync(namespace);
        return `node ${leader.node}, leader of ${leader.led}/${leader.of} partitions; ${sync}`;
      },
    },
  ];
}

const round = (n: number) => Math.round(n * 10) / 10;

async function report(run: ChaosRun): Promise<void> {
  const samples = samplesOf(run.sent.sent, run.reader.on(Topics.KycVerifications), run.reader.on(Topics.AmlScreenings));
  // The raw material, to measure again (measureFailover) without a new run.
  writeFileSync(join(REPO_ROOT, '.cache', 'chaos-logs', run.namespace.slice(0, -1), 'failover-samples.json'), JSON.stringify({ startedAt: run.startedAt, faults: run.sent.faults, samples }));
  const m = measureFailover({ samples, faults: run.sent.faults, startedAt: run.startedAt });
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
      recoverySeconds: 'from the fault until the backlog (posted, not yet completed) is back within two seconds of webhooks of its level before the fault, for 3 s; 0 when it never left it; overlapsNextFault when it ran past the next fault',
      flowAgainSeconds: 'from the fault until completions (3 s average) are back at half the rate of the 10 s before it, after falling below; 0 when they never fell',
      stallSeconds: 'the longest time without any completion between the fault and its recovery',
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
      `  ${(f.id ?? f.what).padEnd(22)} at ${String(f.atSeconds).padStart(5)} s  down ${String(f.downSeconds).padStart(5)} s  flowing again ${String(f.flowAgainSeconds).padStart(5)} s  ` +
      `recovered ${String(f.recoverySeconds).padStart(5)} s${f.overlapsNextFault ? '+' : ' '}  stall ${String(f.stallSeconds).padStart(5)} s  p99 ${f.p99Ms} ms  (${f.detail ?? ''})`,
  );
  process.stdout.write(
    `\nFailover (${m.samples} webhooks measured; + = recovery ran into the next fault)\n${table.join('\n')}\n` +
      `  POST→completion p99 during failover ${m.p99Ms} ms (p50 ${m.p50Ms}, max ${m.maxMs}); before the faults p99 ${m.p99BaselineMs} ms; whole run p99 ${m.p99AllMs} ms\n` +
      `  lost ${summary.lost}, duplicate effects ${summary.duplicateEffects}, dead letters ${summary.deadLetters}; written to ${OUTPUT}\n`,
  );
}

// A fresh cluster for every run: the storage of earlier runs (a few hundred MB each) is not kept.
const nodes = clusterNodes(CLUSTER);
if (nodes.every((n) => n.pid === undefined)) rmSync(dirname(nodes[0].dataDir), { recursive: true, force: true });

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
