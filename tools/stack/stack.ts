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
  /** Where service logs go; default .cache/logs. */
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
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Node options every service runs with (the Dockerfile sets the same). A larger young generation: a
 * consumer holds a whole fetch while it applies it, and with the default semi-space the scavenger
 * copies that live batch again and again (minor GC was a third of a service's CPU under load).
 */
export const SERVICE_NODE_ARGS = ['--max-semi-space-size=64'];

/**
 * The whole suite as processes: broker (unless KAFKA_BROKERS), database, topics and the five
 * services built to dist/. Used by `npm start`, the demo, the end-to-end and the chaos tests.
 */
export class Stack {
  readonly env: Record<string, string>;
  private broker?: BrokerHandle;
  private readonly children = new Map<ServiceName, ChildProcess>();
  private readonly logDir: string;

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
    this.logDir = opts.logDir ?? join(REPO_ROOT, '.cache', 'logs');
  }

  url(name: ServiceName): string {
    const svc = PROCESSES.find((s) => s.name === name)!;
    return `http://127.0.0.1:${this.env[svc.portVar] ?? svc.port}`;
  }

  async startInfrastructure(): Promise<void> {
    this.broker = await ensureBroker({ port: this.opts.kafkaPort ?? 9092 });
    this.env.KAFKA_BROKERS = this.broker.brokers;
    await ensureDatabase(this.env.DATABASE_URL);
    const kafka = createKafka({ brokers: parseBrokers(this.env.KAFKA_BROKERS), clientId: 'topic-setup' });
    await ensureTopics(kafka, new TopicNamespace(this.env.KAFKA_TOPIC_PREFIX ?? ''), allTopics(), {
      partitions: this.opts.partitions ?? Number(this.env.KAFKA_PARTITIONS ?? 6),
    });
  }

  ensureBuilt(): void {
    if (!existsSync(join(REPO_ROOT, 'dist/apps/webhook-gateway/src/main.js'))) throw new Error('services are not built: run npm run build');
  }

  isRunning(name: ServiceName): boolean {
    const child = this.children.get(name);
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** Starts a service process and waits until it is ready; a service already running is left as it is. */
  async startService(name: ServiceName): Promise<void> {
    if (this.isRunning(name)) return;
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    const nodeArgs = this.opts.nodeArgs ?? (process.env.STACK_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const main = join(REPO_ROOT, 'dist/apps', name, 'src/main.js');
    if (!existsSync(main)) throw new Error(`${name} is not built (no ${main}): run npm run build`);
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, ...nodeArgs, main], {
      cwd: REPO_ROOT,
      env: { ...this.processEnv(name), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.on('data', (d: Buffer) => {
      log.write(d);
      if (!this.opts.quiet) process.stderr.write(`[${name}] ${d}`);
    });
    this.children.set(name, child);
    await this.waitReady(name, child);
  }

  async startAll(): Promise<void> {
    await Promise.all(SERVICES.map((s) => this.startService(s.name)));
  }

  /** A process's environment: the stack's, and for the console the URLs of this stack's services (unless given). */
  private processEnv(name: ServiceName): Record<string, string> {
    if (name !== CONSOLE.name) return this.env;
    const urls = Object.fromEntries(SERVICES.map((s) => [SERVICE_URL_VARS[s.name], this.url(s.name)]));
    return { ...urls, ...this.env };
  }

  /** Kills a service as a crash would (SIGKILL) or stops it gracefully (SIGTERM). */
  async kill(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await Promise.race([exited, sleep(20_000).then(() => child.kill('SIGKILL'))]);
    this.children.delete(name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((n) => this.kill(n, 'SIGTERM')));
    await this.broker?.stop();
  }

  private async waitReady(name: ServiceName, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'not listening';
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}${this.logTail(name)}`);
      try {
        const res = await fetch(`${this.url(name)}/health/ready`);
        if (res.ok) return;
        last = `HTTP ${res.status} ${(await res.text()).slice(0, 500)}`;
      } catch {
        // not listening yet
      }
      await sleep(300);
    }
    throw new Error(`${name} did not become ready within ${timeoutMs} ms (last answer: ${last})${this.logTail(name)}`);
  }

  /** The end of a service's log, for an error that must say why without anyone opening the file. */
  private logTail(name: ServiceName, lines = 20): string {
    const file = join(this.logDir, `${name}.log`);
    const tail = existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
    return `; see ${file}${tail ? `, which ends:\n${tail}` : ''}`;
  }
}
