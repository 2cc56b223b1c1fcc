/**
 * Gateway ingest benchmark (DESIGN §9.1): signed Didit webhooks per second and p50/p99 latency
 * through the real webhook-gateway (raw body, HMAC, dedupe claim in Postgres, Kafka acks=all before
 * the 202), against a bare node:http server that only verifies the same HMAC and answers 200 — the
 * ceiling. Both run as child processes and are loaded by the same autocannon client in this process,
 * one after the other, so the comparison is like for like.
 *
 * The gateway runs as `npm start` runs it: `node dist/apps/webhook-gateway/src/main.js` (build first;
 * tsx cannot run Nest's constructor injection). Kafka: KAFKA_BROKERS, or the local broker on 9092.
 * It gets its own topic namespace and database, both removed afterwards.
 *
 *   tsx tools/bench/gateway.bench.ts [--duration 10] [--connections 32] [--dist dist]   → JSON on stdout
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { allTopics } from '../../libs/contracts/src/topics';
import { createKafka, ensureTopics, parseBrokers, TopicNamespace } from '../../libs/messaging/src';
import { DEFAULT_DATABASE_URL, ensureDatabase } from '../../libs/persistence/src/database';
import { ensureBroker } from '../kafka/broker';

const REPO_ROOT = resolve(__dirname, '..', '..');
const WARM_UP_SEC = 2;

export interface Figures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface GatewayBenchResult {
  gateway: Figures & { errors: number; spooled: number };
  bare: Figures & { errors: number };
  /** Gateway throughput as a fraction of the bare server's. */
  ratio: number;
  durationSec: number;
  connections: number;
}

export interface GatewayBenchOptions {
  durationSec?: number;
  connections?: number;
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
  const connections = opts.connections ?? 32;
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
    const env = { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: namespace, DATABASE_URL: databaseUrl.toString(), DIDIT_WEBHOOK_SECRET: secret };
    const gatewayProcess = await startChild([main], { ...env, WEBHOOK_SOURCES: 'didit:didit', GATEWAY_PORT: String(gatewayPort), LOG_LEVEL: 'warn' });
    children.push(gatewayProcess);
    await waitReady(`http://127.0.0.1:${gatewayPort}/health/ready`, gatewayProcess);
    children.push(await startChild(['-e', BARE_SERVER], { SECRET: secret, PORT: String(barePort) }, 'listening'));

    const load = (port: number, seconds: number) => fire(`http://127.0.0.1:${port}`, secret, seconds, connections);
    progress(`bare HMAC server: ${WARM_UP_SEC} s warm-up, ${durationSec} s measured, ${connections} connections`);
    await load(barePort, WARM_UP_SEC);
    const bare = await load(barePort, durationSec);
    progress(`webhook-gateway: ${WARM_UP_SEC} s warm-up, ${durationSec} s measured`);
    await load(gatewayPort, WARM_UP_SEC);
    const gateway = await load(gatewayPort, durationSec);
    const spooled = await spooledCount(`http://127.0.0.1:${gatewayPort}/metrics`);
    progress(`gateway ${gateway.rps} req/s vs bare ${bare.rps} req/s`);
    return { gateway: { ...gateway, spooled }, bare, ratio: round(gateway.rps / bare.rps, 3), durationSec, connections };
  } finally {
    await Promise.all(children.map(stopChild));
    await removeTopics(kafka, namespace, topics).catch(() => undefined);
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/** One autocannon run; every request is a fresh, correctly signed Didit webhook (unique session and event). */
async function fire(url: string, secret: string, seconds: number, connections: number): Promise<Figures & { errors: number }> {
  const hmac = (text: string) => createHmac('sha256', secret).update(text).digest('hex');
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/didit',
        setupRequest: (req) => {
          // Keys sorted and compact: the body is its own canonical form, so X-Signature-V2 signs the same bytes.
          const body = `{"created_at":${Math.floor(Date.now() / 1000)},"event_id":"${randomUUID()}","session_id":"${randomUUID()}","status":"Approved","vendor_data":"bench-${randomUUID()}","webhook_type":"status.updated"}`;
          const signature = hmac(body);
          const headers = { 'content-type': 'application/json', 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': signature, 'x-signature-v2': signature };
          return { ...req, body, headers };
        },
      },
    ],
  });
  return {
    rps: round(result.requests.average, 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
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
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
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

async function dropDatabase(url: URL): Promise<void> {
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await client.end();
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
    connections: value('--connections') ? Number(value('--connections')) : undefined,
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
