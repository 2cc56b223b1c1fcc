/**
 * Chaos test (`npm run chaos`): 2,000 signed webhooks for 500 sessions, 20 % sent twice (half under
 * a new event_id), partly out of order; meanwhile each service is SIGKILLed once and restarted and
 * the broker is restarted once. Then every effect is reconciled against the model: no loss, no
 * double effect, empty DLQs, a verifying audit chain. Exits 1 on any mismatch.
 *
 *   npm run chaos [-- --rate 200]   (webhooks per second, default 20; or CHAOS_RATE)
 *
 * Send i is due at start + i/rate; each session's webhooks go out one after another in plan order
 * (a provider retrying until it gets a 2xx), so enough sessions are in flight at once for the
 * schedule to hold while the gateway answers slowly or restarts.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dlqTopicOf, CONSUMER_GROUPS, Topics } from '../../libs/contracts/src';
import { loadWatchlists, Screener } from '../../libs/screening/src';
import { testDatabaseUrlFor } from './support';
import { diditHeaders } from '../../libs/testing/src/webhooks';
import { TopicReader } from '../../libs/messaging/src/testing';
import { restartBroker, stopBroker } from '../kafka/broker';
import { REPO_ROOT } from '../stack/dev-secrets';
import { SERVICES, Stack, type ServiceName } from '../stack/stack';
import { buildPlan, type PlannedSession, type PlannedWebhook } from './plan';
import { reconcile, printTable } from './reconcile';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 500);
const SEED = Number(process.env.CHAOS_SEED ?? 20261126);
const RATE = Number(parseArgs({ options: { rate: { type: 'string' } } }).values.rate ?? process.env.CHAOS_RATE ?? 20);
if (!(RATE > 0)) throw new Error('--rate takes a positive number of webhooks per second');
/** Sessions in flight at once: 16 at the default rate, more at higher rates (a send may wait on a restarting gateway). */
const SENDERS = Math.max(16, Math.ceil(RATE / 2));
const WEBHOOKS = Number(process.env.CHAOS_WEBHOOKS ?? 2000);
const KAFKA_PORT = Number(process.env.CHAOS_KAFKA_PORT ?? 19392);
const ADMIN_KEY = `chaos-admin-${randomBytes(6).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

type Fault = { at: number; what: string; run: (stack: Stack) => Promise<void> };

function faults(brokerRestartable: boolean): Fault[] {
  const kill = (name: ServiceName) => async (stack: Stack) => {
    await stack.kill(name, 'SIGKILL');
    await sleep(1000);
    await stack.startService(name);
  };
  const list: Fault[] = [
    { at: 0.1, what: 'SIGKILL webhook-gateway', run: kill('webhook-gateway') },
    { at: 0.22, what: 'SIGKILL kyc-results', run: kill('kyc-results') },
    { at: 0.34, what: 'SIGKILL aml-trigger', run: kill('aml-trigger') },
    { at: 0.58, what: 'SIGKILL retention', run: kill('retention') },
    { at: 0.7, what: 'SIGKILL audit-log', run: kill('audit-log') },
  ];
  if (brokerRestartable) list.push({ at: 0.46, what: 'restart Kafka broker', run: async () => void (await restartBroker({ port: KAFKA_PORT })) });
  return list.sort((a, b) => a.at - b.at);
}

/** Posts like a provider that retries until it gets a 2xx (the gateway may be down or restarting). */
async function deliver(gateway: string, secret: string, w: PlannedWebhook, stats: { attempts: number; non2xx: Record<string, number> }): Promise<void> {
  const body = JSON.stringify(w.payload);
  for (let attempt = 0; ; attempt++) {
    stats.attempts++;
    try {
      const res = await fetch(`${gateway}/webhooks/didit`, { method: 'POST', headers: diditHeaders(body, secret), body, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      if (res.ok) return;
      stats.non2xx[res.status] = (stats.non2xx[res.status] ?? 0) + 1;
    } catch {
      stats.non2xx.network = (stats.non2xx.network ?? 0) + 1;
    }
    await sleep(Math.min(2000, 200 * 2 ** attempt));
  }
}

async function send(stack: Stack, plan: PlannedSession[], brokerRestartable: boolean) {
  const queue = plan.map((s) => s.sends);
  const total = queue.reduce((n, q) => n + q.length, 0);
  const stats = { sent: 0, attempts: 0, non2xx: {} as Record<string, number> };
  const pending = faults(brokerRestartable);
  let faultChain = Promise.resolve();
  const started = Date.now();
  const senders = Math.min(SENDERS, queue.length);
  let nextSlot = 0;
  const workers = Array.from({ length: senders }, async (_, wi) => {
    for (let si = wi; si < queue.length; si += senders) {
      for (const w of queue[si]) {
        // Each send takes the next slot of the schedule; a sender held up by retries takes a later one.
        const due = started + (nextSlot++ * 1000) / RATE;
        if (due > Date.now()) await sleep(due - Date.now());
        stats.sent++;
        while (pending.length && stats.sent / total >= pending[0].at) {
          const f = pending.shift() as Fault;
          faultChain = faultChain.then(async () => {
            log(`fault: ${f.what} (after ${stats.sent} webhooks)`);
            await f.run(stack);
            log(`recovered: ${f.what}`);
          });
        }
        await deliver(stack.url('webhook-gateway'), stack.env.DIDIT_WEBHOOK_SECRET.split(',')[0], w, stats);
      }
    }
  });
  await Promise.all(workers);
  const seconds = (Date.now() - started) / 1000;
  await faultChain;
  log(`sent ${total} webhooks (${stats.attempts} attempts, retried answers ${JSON.stringify(stats.non2xx)}) in ${seconds.toFixed(1)} s: ${(total / seconds).toFixed(1)}/s for ${RATE}/s planned`);
  return { total, ...stats };
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

async function main(): Promise<void> {
  const namespace = `chaos-${randomBytes(3).toString('hex')}.`;
  const brokerRestartable = !process.env.KAFKA_BROKERS;
  const stack = new Stack({
    kafkaPort: KAFKA_PORT,
    quiet: true,
    logDir: join(REPO_ROOT, '.cache', 'chaos-logs', namespace.slice(0, -1)),
    partitions: 6,
    env: {
      KAFKA_TOPIC_PREFIX: namespace,
      DATABASE_URL: await testDatabaseUrlFor(namespace.slice(0, -1).replace(/-/g, '_')),
      API_KEYS: `${ADMIN_KEY}:admin:chaos`,
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(SERVICES.map((s, i) => [s.portVar, String(3400 + i)])),
    },
  });
  const listed = (await import('./listed-people')).LISTED_PEOPLE;
  const plan = buildPlan({ sessions: SESSIONS, webhooks: WEBHOOKS, seed: SEED, listed, namespace });
  const alerts = await expectedAlerts(plan);
  log(`plan: ${SESSIONS} sessions, ${plan.reduce((n, s) => n + s.sends.length, 0)} webhooks at ${RATE}/s, seed ${SEED}, namespace ${namespace}`);
  let reader: TopicReader | undefined;
  try {
    stack.ensureBuilt();
    await stack.startInfrastructure();
    await stack.startAll();
    log(`stack up (Kafka ${stack.env.KAFKA_BROKERS})`);
    await send(stack, plan, brokerRestartable);
    process.env.KAFKA_BROKERS = stack.env.KAFKA_BROKERS;
    reader = await new TopicReader(namespace, [Topics.KycVerifications, Topics.AmlScreenings, Topics.ComplianceAlerts, Topics.WebhooksInbound, ...CONSUMER_GROUPS.map(dlqTopicOf)]).start();
    const rows = await reconcile({ stack, plan, expectedAlertSessions: alerts, reader, apiKey: ADMIN_KEY, log });
    printTable(rows);
    const failed = rows.filter((r) => !r.ok);
    if (failed.length) {
      log(`FAILED: ${failed.map((r) => r.check).join(', ')}`);
      process.exitCode = 1;
    } else log('all checks passed');
  } finally {
    await reader?.stop().catch(() => undefined);
    await stack.stop();
    // The broker restarted mid-run is another process than the one the stack started: stop it by its pid file.
    if (brokerRestartable) await stopBroker({ port: KAFKA_PORT }).catch(() => undefined);
  }
}

main().catch((err) => {
  process.stderr.write(`chaos test crashed: ${err.stack ?? err}\n`);
  process.exit(1);
});
