import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTopics } from '../../libs/contracts/src/topics';
import { createKafka, ensureTopics, parseBrokers, TopicNamespace } from '../../libs/messaging/src';
import { DEFAULT_DATABASE_URL, ensureDatabase } from '../../libs/persistence/src/database';
import { ensureBroker, type BrokerHandle } from '../kafka/broker';
import { loadDevSecrets, REPO_ROOT } from './dev-secrets';

/** The five pipeline services: what the flow, chaos and bench runs start, kill and measure. */
export const SERVICES = [
  { name: 'webhook-gateway', portVar: 'GATEWAY_PORT', port: 3000 },
  { name: 'kyc-results', portVar: 'KYC_RESULTS_PORT', port: 3001 },
  { name: 'aml-trigger', portVar: 'AML_TRIGGER_PORT', port: 3002 },
  { name: 'retention', portVar: 'RETENTION_PORT', port: 3003 },
  { name: 'audit-log', portVar: 'AUDIT_LOG_PORT', port: 3004 },
] as const;

/**
 * The sixth process: the analysts' web console (DESIGN §10). Not part of the pipeline (nothing flows
 * through it; it reads the services' HTTP APIs and one topic), so `startAll()` and the users of
 * SERVICES (chaos, bench, the flow tests) leave it out; `npm start` and the console's tests start it
 * with `startService('console')`, pointed at this stack's services.
 */
export const CONSOLE = { name: 'console', portVar: 'CONSOLE_PORT', port: 3005 } as const;

/** Every process the stack can run. */
export const PROCESSES = [...SERVICES, CONSOLE] as const;
export type ServiceName = (typeof PROCESSES)[number]['name'];

/** The console's variables naming each service's URL (ConsoleConfig). */
const SERVICE_URL_VARS: Record<(typeof SERVICES)[number]['name'], string> = {
  'webhook-gateway': 'GATEWAY_URL',
  'kyc-results': 'KYC_RESULTS_URL',
  'aml-trigger': 'AML_TRIGGER_URL',
  retention: 'RETENTION_URL',
  'audit-log': 'AUDIT_LOG_URL',
};

export interface StackOptions {
  /** Environment for every service (overrides defaults and dev secrets). */
  env?: Record<string, string>;
  /**
   * Where service logs go; default .cache/logs, or .cache/logs/<topic prefix> for a stack with its own
   * KAFKA_TOPIC_PREFIX (a test's), so stacks running side by side do not write into one file.
   */
  logDir?: string;
  /** Topic partitions when topics are created. */
  partitions?: number;
  /** Port of a broker the stack may start (ignored when KAFKA_BROKERS is set). */
  kafkaPort?: number;
  quiet?: boolean;
  /**
   * Extra Node options for every service process, e.g. `--cpu-prof --cpu-prof-dir=…` (which Node does
   * not accept in NODE_OPTIONS). Default: STACK_NODE_ARGS, space-separated. Added to SERVICE_NODE_ARGS.
   */
  nodeArgs?: string[];
  /**
   * Processes per pipeline service, each on its own HTTP port (replica k on the service's port + 10k)
   * with its own log, sharing the service's consumer groups and database: a number for all five, or
   * per service. Default STACK_REPLICAS, else 1. The console always runs one.
   */
  replicas?: number | Partial<Record<PipelineService, number>>;
  /** Nodes of the local Kafka cluster the stack may start (default KAFKA_CLUSTER_SIZE, else 1). */
  kafkaClusterSize?: number;
}

type PipelineService = (typeof SERVICES)[number]['name'];

/** How far apart the HTTP ports of a service's replicas are: replica k listens on the service's port + 10k. */
export const REPLICA_PORT_STEP = 10;

function replicasFromEnv(): number {
  const raw = process.env.STACK_REPLICAS?.trim();
  if (!raw) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new Error(`STACK_REPLICAS must be a whole number from 1 to 9, not ${raw}`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Node options every service runs with (the Dockerfile sets the same). A larger young generation: a
 * consumer holds a whole fetch while it applies it, and with the default semi-space the scavenger
 * copies that live batch again and again (minor GC was a third of a service's CPU under load).
 */
export const SERVICE_NODE_ARGS = ['--max-semi-space-size=64'];

/**
 * The whole suite as processes: broker (unless KAFKA_BROKERS; a local cluster with
 * KAFKA_CLUSTER_SIZE), database, topics and the five services built to dist/, each as one process
 * or several replicas (STACK_REPLICAS). Used by `npm start`, the demo, the end-to-end and the chaos tests.
 */
export class Stack {
  readonly env: Record<string, string>;
  private broker?: BrokerHandle;
  /** Running processes by instance: the service's name for replica 0, `<name>#<k>` for replica k. */
  private readonly children = new Map<string, ChildProcess>();
  private readonly logDir: string;
  private readonly replicaCounts: Record<ServiceName, number>;

  constructor(private readonly opts: StackOptions = {}) {
    const secrets = loadDevSecrets();
    const given = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<string, string>;
    this.env = {
      DATABASE_URL: DEFAULT_DATABASE_URL,
      AML_LISTS_DIR: join(REPO_ROOT, 'data', 'watchlists', 'sample'),
      AML_PROVIDER: 'builtin',
      ...secrets,
      ...given,
      // A developer's stack (npm start, the demo, the end-to-end and chaos runs): the services accept
      // the development secrets and short keys. Over the caller's NODE_ENV (Jest sets `test`).
      NODE_ENV: 'development',
      ...opts.env,
    };
    const prefix = opts.env?.KAFKA_TOPIC_PREFIX?.replace(/[^\w-]+/g, '');
    this.logDir = opts.logDir ?? (prefix ? join(REPO_ROOT, '.cache', 'logs', prefix) : join(REPO_ROOT, '.cache', 'logs'));
    const replicas = opts.replicas ?? replicasFromEnv();
    this.replicaCounts = Object.fromEntries(
      PROCESSES.map((p) => [p.name, p.name === CONSOLE.name ? 1 : typeof replicas === 'number' ? replicas : (replicas[p.name as PipelineService] ?? 1)]),
    ) as Record<ServiceName, number>;
  }

  /** How many processes of the service the stack runs. */
  replicas(name: ServiceName): number {
    return this.replicaCounts[name];
  }

  private port(name: ServiceName, replica = 0): number {
    const svc = PROCESSES.find((s) => s.name === name)!;
    return Number(this.env[svc.portVar] ?? svc.port) + REPLICA_PORT_STEP * replica;
  }

  url(name: ServiceName, replica = 0): string {
    return `http://127.0.0.1:${this.port(name, replica)}`;
  }

  /** Every replica's URL. */
  urls(name: ServiceName): string[] {
    return Array.from({ length: this.replicas(name) }, (_, k) => this.url(name, k));
  }

  async startInfrastructure(): Promise<void> {
    this.broker = await ensureBroker({ port: this.opts.kafkaPort ?? 9092, clusterSize: this.opts.kafkaClusterSize });
    this.env.KAFKA_BROKERS = this.broker.brokers;
    await ensureDatabase(this.env.DATABASE_URL);
    const kafka = createKafka({ brokers: parseBrokers(this.env.KAFKA_BROKERS), clientId: 'topic-setup' });
    await ensureTopics(kafka, new TopicNamespace(this.env.KAFKA_TOPIC_PREFIX ?? ''), allTopics(), {
      partitions: this.opts.partitions ?? Number(this.env.KAFKA_PARTITIONS ?? 6),
      // Unset: as the cluster allows (3 replicas on three brokers, 1 on one).
      replicationFactor: this.env.KAFKA_REPLICATION_FACTOR ? Number(this.env.KAFKA_REPLICATION_FACTOR) : undefined,
    });
  }

  ensureBuilt(): void {
    if (!existsSync(join(REPO_ROOT, 'dist/apps/webhook-gateway/src/main.js'))) throw new Error('services are not built: run npm run build');
  }

  /** The pid of a running replica (undefined when it does not run). */
  pid(name: ServiceName, replica = 0): number | undefined {
    return this.isRunning(name, replica) ? this.children.get(instance(name, replica))?.pid : undefined;
  }

  isRunning(name: ServiceName, replica = 0): boolean {
    const child = this.children.get(instance(name, replica));
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /**
   * Starts a service process (one replica, or each of its replicas when none is named) and waits until
   * it is ready; a replica already running is left as it is.
   */
  async startService(name: ServiceName, replica?: number): Promise<void> {
    if (replica === undefined) {
      await Promise.all(Array.from({ length: this.replicas(name) }, (_, k) => this.startService(name, k)));
      return;
    }
    if (this.isRunning(name, replica)) return;
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(this.logFile(name, replica), { flags: 'a' });
    const nodeArgs = this.opts.nodeArgs ?? (process.env.STACK_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const main = join(REPO_ROOT, 'dist/apps', name, 'src/main.js');
    if (!existsSync(main)) throw new Error(`${name} is not built (no ${main}): run npm run build`);
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, ...nodeArgs, main], {
      cwd: REPO_ROOT,
      env: { ...this.processEnv(name, replica), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const label = instance(name, replica);
    // Both streams write to the log, which is closed once the process has exited and both are drained
    // (piping stdout alone would end it while stderr may still have a crash report to write).
    child.stdout?.pipe(log, { end: false });
    child.stderr?.on('data', (d: Buffer) => {
      log.write(d);
      if (!this.opts.quiet) process.stderr.write(`[${label}] ${d}`);
    });
    child.once('close', () => log.end());
    this.children.set(label, child);
    await this.waitReady(name, replica, child);
  }

  async startAll(): Promise<void> {
    await Promise.all(SERVICES.map((s) => this.startService(s.name)));
  }

  /**
   * A process's environment: the stack's, with a replica's own port, and for the console the URLs of
   * this stack's services (their first replicas; unless given).
   */
  private processEnv(name: ServiceName, replica: number): Record<string, string> {
    const svc = PROCESSES.find((s) => s.name === name)!;
    const env = replica === 0 ? this.env : { ...this.env, [svc.portVar]: String(this.port(name, replica)) };
    if (name !== CONSOLE.name) return env;
    const urls = Object.fromEntries(SERVICES.map((s) => [SERVICE_URL_VARS[s.name], this.url(s.name)]));
    return { ...urls, ...env };
  }

  /**
   * Kills a service as a crash would (SIGKILL) or stops it gracefully (SIGTERM): one replica, or every
   * replica of it when none is named.
   */
  async kill(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL', replica?: number): Promise<void> {
    if (replica === undefined) {
      const running = [...this.children.keys()].filter((key) => key === name || key.startsWith(`${name}#`));
      await Promise.all(running.map((key) => this.killInstance(key, signal)));
      return;
    }
    await this.killInstance(instance(name, replica), signal);
  }

  private async killInstance(key: string, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(key);
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await Promise.race([exited, sleep(20_000).then(() => child.kill('SIGKILL'))]);
    }
    this.children.delete(key);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((key) => this.killInstance(key, 'SIGTERM')));
    await this.broker?.stop();
  }

  private async waitReady(name: ServiceName, replica: number, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const label = instance(name, replica);
    let last = 'not listening';
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${label} exited with code ${child.exitCode}${this.logTail(name, replica)}`);
      try {
        const res = await fetch(`${this.url(name, replica)}/health/ready`);
        if (res.ok) return;
        last = `HTTP ${res.status} ${(await res.text()).slice(0, 500)}`;
      } catch {
        // not listening yet
      }
      await sleep(300);
    }
    throw new Error(`${label} did not become ready within ${timeoutMs} ms (last answer: ${last})${this.logTail(name, replica)}`);
  }

  /** A replica's log: <name>.log for the first, <name>.<k>.log for replica k. */
  logFile(name: ServiceName, replica = 0): string {
    return join(this.logDir, replica === 0 ? `${name}.log` : `${name}.${replica}.log`);
  }

  /** The end of a service's log, for an error that must say why without anyone opening the file. */
  private logTail(name: ServiceName, replica = 0, lines = 20): string {
    const file = this.logFile(name, replica);
    const tail = existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
    return `; see ${file}${tail ? `, which ends:\n${tail}` : ''}`;
  }
}

/** A running process's key and label: the service's name for replica 0, `<name>#<k>` for replica k. */
function instance(name: ServiceName, replica: number): string {
  return replica === 0 ? name : `${name}#${replica}`;
}
