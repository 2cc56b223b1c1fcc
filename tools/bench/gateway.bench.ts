/**
 * Gateway ingest benchmark (DESIGN §9.1): signed Didit webhooks per second and p50/p99 latency
 * through the real webhook-gateway (raw body, HMAC, dedupe claim in Postgres, Kafka acks=all before
 * the 202), against a bare node:http server that only verifies the same HMAC and answers 200 — the
 * ceiling. Both run as child processes and are loaded by the same autocannon client in this process,
 * at 64 and then 256 connections, bare then gateway at each, in one run: the machine is shared, so
 * only figures of the same run compare.
 *
 * Every request carries a distinct "Approved" webhook (new session, event and subject) built and
 * signed before the phase starts by the pipeline load client's own builder, so the client spends
 * nothing on signing while it measures and both servers get the same bytes to check. A gateway
 * phase that outruns its prepared bodies sends some again; `reusedBodies` says how many (duplicates
 * are cheaper for the gateway, so a non-zero count flatters it).
 *
 * The gateway runs as `npm start` runs it: `node --max-semi-space-size=64 dist/apps/webhook-gateway/src/main.js` (build first;
 * tsx cannot run Nest's constructor injection). Kafka: KAFKA_BROKERS, or the local broker on 9092.
 * It gets its own topic namespace and database, both removed afterwards.
 *
 *   tsx tools/bench/gateway.bench.ts [--duration 10] [--connections 64,256] [--dist dist]   → JSON on stdout
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import autocannon from 'autocannon';
import { allTopics } from '../../libs/contracts/src/topics';
import { createKafka, ensureTopics, parseBrokers, TopicNamespace } from '../../libs/messaging/src';
import { DEFAULT_DATABASE_URL, ensureDatabase } from '../../libs/persistence/src/database';
import { ensureBroker } from '../kafka/broker';
import { SERVICE_NODE_ARGS } from '../stack/stack';
import { prepareApprovedWebhooks, type PreparedWebhook } from './load/webhooks';
import { brokerPid, postgresCpuSeconds, procCpuSeconds } from './cpu';
import { dropDatabase } from './scratch-db';

const REPO_ROOT = resolve(__dirname, '..', '..');
const WARM_UP_SEC = 2;
/** Distinct webhooks prepared per gateway phase (warm-up + measured): 8,000 req/s for 12 s. */
const GATEWAY_BODIES = 100_000;
/** The bare server keeps no state, so it cycles through fewer. */
const BARE_BODIES = 10_000;

export interface Figures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /**
   * CPU ms per answered request over the measured phase: the server's own process, and (for the
   * gateway) Postgres and the Kafka broker, which work for it. CPU per request moves far less with
   * the machine's other load than req/s does, so two builds compare best by it.
   */
  cpuMsPerRequest?: { server: number; postgres?: number; broker?: number };
}

export interface GatewayRun {
  connections: number;
  gateway: Figures & { reusedBodies: number };
  bare: Figures;
  /** Gateway throughput as a fraction of the bare server's, at these connections. */
  ratio: number;
}

export interface GatewayBenchResult {
  /** Gateway ÷ bare req/s at the highest connection count (256 by default). */
  ratio: number;
  connections: number;
  /** The figures at that connection count (kept at the top for readers of earlier reports). */
  gateway: GatewayRun['gateway'] & { spooled: number };
  bare: Figures;
  runs: GatewayRun[];
  durationSec: number;
  bodyBytes: number;
}

export interface GatewayBenchOptions {
  durationSec?: number;
  connections?: number[];
  onProgress?: (m: string) => void;
  /** Where the services are built (default <repo>/dist). */
  distDir?: string;
}

/** The bare ceiling: read the body, verify X-Signature in constant time, answer 200. */
const BARE_SERVER = `
const http = require('node:http'); const { createHmac, timingSafeEqual } = require('node:crypto');
const secret = process.env.SECRET;
http.createServer((req, res) => {
  const chunks = []; req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const expected = createHmac('sha256', secret).update(Buffer.concat(chunks)).digest();
    const given = Buffer.from(String(req.headers['x-signature'] || ''), 'hex');
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }); res.end(ok ? '{"ok":true}' : '{}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\\n'));`;

export async function benchGateway(opts: GatewayBenchOptions = {}): Promise<GatewayBenchResult> {
  const durationSec = opts.durationSec ?? 10;
  const connectionCounts = opts.connections ?? [64, 256];
  const progress = opts.onProgress ?? (() => undefined);
  const distDir = resolve(opts.distDir ?? join(REPO_ROOT, 'dist'));
  const main = join(distDir, 'apps/webhook-gateway/src/main.js');
  assertBuilt(distDir, main);

  const secret = randomBytes(24).toString('hex');
  const brokers = (await ensureBroker({ port: 9092 })).brokers;
  const namespace = `bench-gw-${randomBytes(4).toString('hex')}.`;
  const databaseUrl = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  databaseUrl.pathname = `/bench_gateway_${randomBytes(4).toString('hex')}`;
  const kafka = createKafka({ brokers: parseBrokers(brokers), clientId: 'bench-gateway' });
  const topics = allTopics();
  const children: ChildProcess[] = [];
  try {
    progress(`creating topics ${namespace}* and database ${databaseUrl.pathname.slice(1)}`);
    await ensureDatabase(databaseUrl.toString());
    await ensureTopics(kafka, new TopicNamespace(namespace), topics, { partitions: 6 });
    const [gatewayPort, barePort] = [await freePort(), await freePort()];
    // As deployed (compose, npm start): with a keyring, so every payload is sealed under its subject's data key.
    const env = { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: namespace, DATABASE_URL: databaseUrl.toString(), DIDIT_WEBHOOK_SECRET: secret, KEYRING_MASTER_KEY: randomBytes(32).toString('base64') };
    const gatewayProcess = await startChild([...SERVICE_NODE_ARGS, ...nodeArgs(), main], { ...env, WEBHOOK_SOURCES: 'didit:didit', GATEWAY_PORT: String(gatewayPort), LOG_LEVEL: 'warn' });
    children.push(gatewayProcess);
    await waitReady(`http://127.0.0.1:${gatewayPort}/health/ready`, gatewayProcess);
    const bareProcess = await startChild(['-e', BARE_SERVER], { SECRET: secret, PORT: String(barePort) }, 'listening');
    children.push(bareProcess);

    const runs: GatewayRun[] = [];
    let bodyBytes = 0;
    for (const connections of connectionCounts) {
      const bareBodies = new BodyPool(prepareApprovedWebhooks(BARE_BODIES, secret, 'bench-bare'));
      bodyBytes = bareBodies.bodyBytes;
      progress(`bare HMAC server, ${connections} connections: ${WARM_UP_SEC} s warm-up, ${durationSec} s measured`);
      await fire(barePort, bareBodies, WARM_UP_SEC, connections);
      const bare = await fire(barePort, bareBodies, durationSec, connections, { server: bareProcess.pid });
      progress(`webhook-gateway, ${connections} connections: signing ${GATEWAY_BODIES} webhooks, ${WARM_UP_SEC} s warm-up, ${durationSec} s measured`);
      const gatewayBodies = new BodyPool(prepareApprovedWebhooks(GATEWAY_BODIES, secret, 'bench-gw'));
      await fire(gatewayPort, gatewayBodies, WARM_UP_SEC, connections);
      const gateway = { ...(await fire(gatewayPort, gatewayBodies, durationSec, connections, { server: gatewayProcess.pid, withServices: true })), reusedBodies: gatewayBodies.reused };
      runs.push({ connections, gateway, bare, ratio: round(gateway.rps / bare.rps, 3) });
      progress(`${connections} connections: gateway ${gateway.rps} req/s vs bare ${bare.rps} req/s (ratio ${round(gateway.rps / bare.rps, 3)})`);
    }
    const spooled = await spooledCount(`http://127.0.0.1:${gatewayPort}/metrics`);
    const top = runs.reduce((a, b) => (b.connections > a.connections ? b : a));
    return { ratio: top.ratio, connections: top.connections, gateway: { ...top.gateway, spooled }, bare: top.bare, runs, durationSec, bodyBytes };
  } finally {
    await Promise.all(children.map(stopChild));
    await removeTopics(kafka, namespace, topics).catch(() => undefined);
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/** Prepared webhooks handed out in order; past the end it starts again and counts the reuse. */
class BodyPool {
  private next = 0;
  reused = 0;
  private readonly requests: Array<{ body: Buffer; headers: Record<string, string> }>;

  constructor(webhooks: PreparedWebhook[]) {
    // autocannon writes Content-Length itself.
    this.requests = webhooks.map((w) => ({ body: w.body, headers: Object.fromEntries(Object.entries(w.headers).filter(([k]) => k !== 'content-length')) }));
  }

  get bodyBytes(): number {
    return this.requests[0]?.body.length ?? 0;
  }

  take(): { body: Buffer; headers: Record<string, string> } {
    if (this.next >= this.requests.length) this.reused++;
    return this.requests[this.next++ % this.requests.length];
  }
}

/** CPU seconds so far of the server process, and of Postgres and the broker when asked. */
function cpuNow(server: number | undefined, withServices: boolean): { server?: number; postgres?: number; broker?: number } {
  const broker = withServices ? brokerPid(REPO_ROOT) : undefined;
  return {
    server: server === undefined ? undefined : procCpuSeconds(server),
    postgres: withServices ? postgresCpuSeconds() : undefined,
    broker: broker === undefined ? undefined : procCpuSeconds(broker),
  };
}

/** One autocannon run; every request takes the next prepared webhook. */
async function fire(port: number, bodies: BodyPool, seconds: number, connections: number, measure?: { server?: number; withServices?: boolean }): Promise<Figures> {
  const before = measure ? cpuNow(measure.server, measure.withServices === true) : undefined;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [{ method: 'POST', path: '/webhooks/didit', setupRequest: (req) => ({ ...req, ...bodies.take() }) }],
  });
  const figures: Figures = {
    rps: round(result.requests.average, 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
  if (!before || !measure) return figures;
  const after = cpuNow(measure.server, measure.withServices === true);
  const answered = result['2xx'];
  const perRequest = (k: 'server' | 'postgres' | 'broker') => {
    const a = after[k];
    const b = before[k];
    return a === undefined || b === undefined || answered === 0 ? undefined : round(((a - b) * 1000) / answered, 3);
  };
  const server = perRequest('server');
  if (server !== undefined) figures.cpuMsPerRequest = { server, postgres: perRequest('postgres'), broker: perRequest('broker') };
  return figures;
}

/** The gateway is run from its build; an old build would measure old code (each source against its own output: builds are incremental). */
function assertBuilt(distDir: string, main: string): void {
  if (!existsSync(main)) throw new Error(`${main} not found: run npm run build`);
  const sources = ['apps/webhook-gateway/src', 'libs/contracts/src', 'libs/messaging/src', 'libs/persistence/src', 'libs/observability/src', 'libs/platform/src'];
  const stale = sources
    .flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))
    .find((ts) => {
      const js = join(distDir, relative(REPO_ROOT, ts)).replace(/\.ts$/, '.js');
      return !existsSync(js) || statSync(js).mtimeMs < statSync(ts).mtimeMs;
    });
  if (stale) throw new Error(`the build in ${distDir} is older than ${relative(REPO_ROOT, stale)}: run npm run build`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    // A library's test helpers (src/testing) are not built.
    if (e.isDirectory()) return e.name === 'testing' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Extra Node options for the gateway process (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it), added to the services' own as STACK_NODE_ARGS is for the stack. */
function nodeArgs(): string[] {
  return (process.env.STACK_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

async function startChild(args: string[], env: Record<string, string>, readyLine?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules'), ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.once('exit', (code) => code && code !== 0 && process.stderr.write(`bench child exited with ${code}: ${stderr}\n`));
  if (readyLine) {
    await new Promise<void>((ok, fail) => {
      child.stdout?.on('data', (d: Buffer) => d.toString().includes(readyLine) && ok());
      child.once('exit', (code) => fail(new Error(`bench child exited with ${code}: ${stderr}`)));
    });
  } else child.stdout?.resume();
  return child;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with code ${child.exitCode} before it was ready`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function spooledCount(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('webhook_spooled_total{'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

async function removeTopics(kafka: ReturnType<typeof createKafka>, namespace: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: topics.map((t) => new TopicNamespace(namespace).physical(t)) });
  } finally {
    await admin.disconnect();
  }
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function cliOptions(argv: string[]): GatewayBenchOptions {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    durationSec: value('--duration') ? Number(value('--duration')) : undefined,
    connections: value('--connections') ? value('--connections')?.split(',').map(Number) : undefined,
    distDir: value('--dist'),
    onProgress: (m) => process.stderr.write(`  … ${m}\n`),
  };
}

if (require.main === module) {
  benchGateway(cliOptions(process.argv.slice(2))).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`gateway bench failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
