/**
 * What every chaos run shares (`npm run chaos`, `npm run chaos:cluster`): the plan, the provider-like
 * client that sends it on schedule while faults are injected, and the exact reconciliation.
 *
 * Send i is due at start + i/rate; each session's webhooks go out one after another in plan order
 * (a provider retrying until it gets a 2xx), so enough sessions are in flight at once for the
 * schedule to hold while a gateway answers slowly or restarts. With several gateways the client
 * round-robins its attempts over them, so a retry goes to another gateway.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dlqTopicOf, CONSUMER_GROUPS, Topics } from '../../libs/contracts/src';
import { loadWatchlists, Screener } from '../../libs/screening/src';
import { testDatabaseUrlFor } from './support';
import { diditHeaders } from '../../libs/testing/src/webhooks';
import { TopicReader } from '../../libs/messaging/src/testing';
import { REPO_ROOT } from '../stack/dev-secrets';
import { SERVICES, Stack, type StackOptions } from '../stack/stack';
import { buildPlan, type PlannedSession, type PlannedWebhook } from './plan';
import { reconcile, printTable, type Row } from './reconcile';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const log = (msg: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/**
 * A fault injected when `at` (a fraction of the sends) has gone out, or — with `atSeconds` — that many
 * seconds after sending began; `run` may return what it hit (a node, a replica). Faults run one after
 * another, in the order they are due.
 */
export interface Fault {
  /** A short name for reports (`broker-pause`). */
  id?: string;
  at?: number;
  atSeconds?: number;
  what: string;
  run: (stack: Stack) => Promise<string | void>;
}

/** A fault as it happened: when it started (the kill, the pause) and when its run returned (restarted, caught up). */
export interface FaultRecord {
  id?: string;
  what: string;
  detail?: string;
  startedAt: number;
  endedAt: number;
}

/** One webhook as the client sent it: its first attempt and the 2xx that ended its retries. */
export interface SentWebhook {
  webhook: PlannedWebhook;
  firstAttemptAt: number;
  acceptedAt: number;
  attempts: number;
}

export interface SendResult {
  total: number;
  attempts: number;
  non2xx: Record<string, number>;
  startedAt: number;
  seconds: number;
  sent: SentWebhook[];
  faults: FaultRecord[];
}

/** Posts like a provider that retries until it gets a 2xx (a gateway may be down or restarting). */
async function deliver(gateways: () => string, secret: string, w: PlannedWebhook, stats: { attempts: number; non2xx: Record<string, number> }): Promise<SentWebhook> {
  const body = JSON.stringify(w.payload);
  const firstAttemptAt = Date.now();
  for (let attempt = 0; ; attempt++) {
    stats.attempts++;
    try {
      const res = await fetch(`${gateways()}/webhooks/didit`, { method: 'POST', headers: diditHeaders(body, secret), body, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      if (res.ok) return { webhook: w, firstAttemptAt, acceptedAt: Date.now(), attempts: attempt + 1 };
      stats.non2xx[res.status] = (stats.non2xx[res.status] ?? 0) + 1;
    } catch {
      stats.non2xx.network = (stats.non2xx.network ?? 0) + 1;
    }
    await sleep(Math.min(2000, 200 * 2 ** attempt));
  }
}

async function send(stack: Stack, plan: PlannedSession[], rate: number, faults: Fault[], sendersWanted?: number): Promise<SendResult> {
  const queue = plan.map((s) => s.sends);
  const total = queue.reduce((n, q) => n + q.length, 0);
  const stats = { sent: 0, attempts: 0, non2xx: {} as Record<string, number> };
  const pending = [...faults].sort((a, b) => (a.atSeconds ?? a.at ?? 0) - (b.atSeconds ?? b.at ?? 0));
  const happened: FaultRecord[] = [];
  const sent: SentWebhook[] = [];
  let faultChain = Promise.resolve();
  const gateways = stack.urls('webhook-gateway');
  let turn = 0;
  const nextGateway = () => gateways[turn++ % gateways.length];
  const secret = stack.env.DIDIT_WEBHOOK_SECRET.split(',')[0];
  /** Sessions in flight at once: 16 at the default rate, more at higher rates (a send may wait on a restarting gateway). */
  const senders = Math.min(sendersWanted ?? Math.max(16, Math.ceil(rate / 2)), queue.length);
  const startedAt = Date.now();
  const due = (f: Fault) => (f.atSeconds !== undefined ? Date.now() - startedAt >= f.atSeconds * 1000 : stats.sent / total >= (f.at ?? 0));
  let nextSlot = 0;
  const workers = Array.from({ length: senders }, async (_, wi) => {
    for (let si = wi; si < queue.length; si += senders) {
      for (const w of queue[si]) {
        // Each send takes the next slot of the schedule; a sender held up by retries takes a later one.
        const slot = startedAt + (nextSlot++ * 1000) / rate;
        if (slot > Date.now()) await sleep(slot - Date.now());
        stats.sent++;
        while (pending.length && due(pending[0])) {
          const f = pending.shift() as Fault;
          faultChain = faultChain.then(async () => {
            log(`fault: ${f.what} (after ${stats.sent} webhooks, ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
            const record: FaultRecord = { id: f.id, what: f.what, startedAt: Date.now(), endedAt: 0 };
            happened.push(record);
            const detail = await f.run(stack);
            record.endedAt = Date.now();
            if (detail) record.detail = detail;
            log(`recovered: ${f.what}${detail ? ` (${detail})` : ''} in ${((record.endedAt - record.startedAt) / 1000).toFixed(1)} s`);
          });
        }
        sent.push(await deliver(nextGateway, secret, w, stats));
      }
    }
  });
  await Promise.all(workers);
  const seconds = (Date.now() - startedAt) / 1000;
  await faultChain;
  log(`sent ${total} webhooks (${stats.attempts} attempts, retried answers ${JSON.stringify(stats.non2xx)}) in ${seconds.toFixed(1)} s: ${(total / seconds).toFixed(1)}/s for ${rate}/s planned`);
  return { total, attempts: stats.attempts, non2xx: stats.non2xx, startedAt, seconds, sent, faults: happened };
}

async function expectedAlerts(plan: PlannedSession[]): Promise<Set<string>> {
  const { index } = await loadWatchlists(join(REPO_ROOT, 'data/watchlists/sample'));
  const screener = new Screener(index);
  const flagged = new Set<string>();
  for (const s of plan.filter((p) => p.finalStatus === 'Approved')) {
    const p = s.person;
    const result = screener.screen({ fullName: `${p.firstName} ${p.lastName}`, dateOfBirth: p.dateOfBirth, nationality: p.nationality, documentNumber: p.documentNumber });
    if (result.outcome !== 'clear') flagged.add(s.sessionId);
  }
  return flagged;
}

export interface ChaosSpec {
  /** Names the run's folders (logs) and its log lines. */
  label: string;
  rate: number;
  sessions: number;
  webhooks: number;
  seed: number;
  /** Sessions in flight at once (default: 16, or rate/2 when higher). */
  senders?: number;
  /** Seconds between the stack being up and the first send (group rebalances settle, JIT warms up). */
  settleSeconds?: number;
  /** First HTTP port of the services (replica 0 of service i on base + i, replica k 10k further). */
  portBase: number;
  /** The stack's options besides the run's environment, log folder and quietness. */
  stack: Omit<StackOptions, 'env' | 'logDir' | 'quiet'>;
  /** The faults, given the run's namespace (topics carry it as a prefix). */
  faults: (namespace: string) => Fault[];
  /** After the reconciliation: measurements, reports. May set process.exitCode. */
  report?: (run: ChaosRun) => Promise<void> | void;
  /** After the stack stopped: whatever the faults left running (a broker restarted by a fault). */
  cleanup?: () => Promise<void>;
}

export interface ChaosRun {
  stack: Stack;
  namespace: string;
  plan: PlannedSession[];
  sent: SendResult;
  reader: TopicReader;
  rows: Row[];
  passed: boolean;
  /** When the stack was up and sending began: ms since the epoch. */
  startedAt: number;
}

/**
 * Starts the stack in a namespace and database of its own, sends the plan at `rate` while the faults
 * happen, then reconciles every effect against the model. Exits 1 (exitCode) on any mismatch.
 */
export async function runChaos(spec: ChaosSpec): Promise<void> {
  const namespace = `${spec.label}-${randomBytes(3).toString('hex')}.`;
  const adminKey = `chaos-admin-${randomBytes(6).toString('hex')}`;
  const stack = new Stack({
    ...spec.stack,
    quiet: true,
    logDir: join(REPO_ROOT, '.cache', 'chaos-logs', namespace.slice(0, -1)),
    env: {
      KAFKA_TOPIC_PREFIX: namespace,
      DATABASE_URL: await testDatabaseUrlFor(namespace.slice(0, -1).replace(/-/g, '_')),
      API_KEYS: `${adminKey}:admin:chaos`,
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(SERVICES.map((s, i) => [s.portVar, String(spec.portBase + i)])),
    },
  });
  const listed = (await import('./listed-people')).LISTED_PEOPLE;
  const plan = buildPlan({ sessions: spec.sessions, webhooks: spec.webhooks, seed: spec.seed, listed, namespace });
  const alerts = await expectedAlerts(plan);
  log(`plan: ${spec.sessions} sessions, ${plan.reduce((n, s) => n + s.sends.length, 0)} webhooks at ${spec.rate}/s, seed ${spec.seed}, namespace ${namespace}`);
  let reader: TopicReader | undefined;
  try {
    stack.ensureBuilt();
    await stack.startInfrastructure();
    await stack.startAll();
    const replicas = SERVICES.map((s) => stack.replicas(s.name));
    log(`stack up (Kafka ${stack.env.KAFKA_BROKERS}${replicas.some((n) => n > 1) ? `; processes per service: ${SERVICES.map((s) => `${s.name} ${stack.replicas(s.name)}`).join(', ')}` : ''})`);
    if (spec.settleSeconds) await sleep(spec.settleSeconds * 1000);
    const sent = await send(stack, plan, spec.rate, spec.faults(namespace), spec.senders);
    process.env.KAFKA_BROKERS = stack.env.KAFKA_BROKERS;
    reader = await new TopicReader(namespace, [Topics.KycVerifications, Topics.AmlScreenings, Topics.ComplianceAlerts, Topics.WebhooksInbound, ...CONSUMER_GROUPS.map(dlqTopicOf)]).start();
    const rows = await reconcile({ stack, plan, expectedAlertSessions: alerts, reader, apiKey: adminKey, log });
    printTable(rows);
    const failed = rows.filter((r) => !r.ok);
    if (failed.length) {
      log(`FAILED: ${failed.map((r) => r.check).join(', ')}`);
      process.exitCode = 1;
    } else log('all checks passed');
    await spec.report?.({ stack, namespace, plan, sent, reader, rows, passed: failed.length === 0, startedAt: sent.startedAt });
  } finally {
    await reader?.stop().catch(() => undefined);
    await stack.stop();
    await spec.cleanup?.().catch(() => undefined);
  }
}
