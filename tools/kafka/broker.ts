/**
 * Local single-node Apache Kafka (KRaft, broker+controller combined) for dev and tests.
 *
 * There is no Docker engine on the dev/CI machines, so the real broker jars come from Maven Central
 * (tools/kafka/pom.xml) and `kafka.Kafka` runs straight from that classpath.
 *
 *   tsx tools/kafka/broker.ts start|stop|restart|status [--port 9092] [--data-dir DIR]
 *
 * Library use: `ensureBroker()` (reuses KAFKA_BROKERS or a broker already on the port),
 * `stopBroker()`, `restartBroker()`.
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

export interface BrokerOptions {
  /** PLAINTEXT port for clients (default 9092). */
  port?: number;
  /** KRaft controller port (default port + 1). */
  controllerPort?: number;
  /** Holds server.properties, data/, broker.pid (default <repo>/.cache/kafka/run-<port>). */
  dataDir?: string;
  /** Broker stdout/stderr (default <dataDir>/broker.log). */
  logFile?: string;
  /**
   * Leave the broker running when this Node process exits. Default false: an exit hook sends it
   * SIGTERM so a test run does not orphan a 512 MiB JVM. The CLI `start` sets it.
   */
  keepRunning?: boolean;
  /** How long to wait for the broker to serve clients and a group coordinator (default 90 s). */
  readyTimeoutMs?: number;
  /**
   * Clients authenticate with SASL/SCRAM-SHA-512 and are authorised by ACLs (StandardAuthorizer, no
   * access without an ACL). `users` are created when the storage is formatted (a fresh `dataDir`);
   * `admin` is a super user. Unset: PLAINTEXT without ACLs, as before.
   */
  sasl?: { admin: { username: string; password: string }; users: Record<string, string> };
}

export interface BrokerHandle {
  /** Bootstrap servers, comma-separated. */
  brokers: string;
  /** True when this call spawned the broker; false when it reused one (stop is then a no-op). */
  started: boolean;
  stop: () => Promise<void>;
}

const DEFAULT_PORT = 9092;
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const LOCK_TIMEOUT_MS = 180_000;
const FOREIGN_WAIT_MS = 20_000;
const LOG_ROTATE_BYTES = 20 * 1024 * 1024;

// This file lives in <repo>/tools/kafka, so the repo root is two levels up.
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const POM = path.join(__dirname, 'pom.xml');
const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'kafka');
const LIBS_DIR = path.join(CACHE_DIR, 'libs');
const LIBS_MARKER = path.join(LIBS_DIR, '.fetched.json');
const LIBS_LOCK = path.join(CACHE_DIR, 'libs.lock');

// Heap kept small: the machine is shared with Postgres, five services and the tests.
const JVM_OPTS = [
  '-Xmx512m',
  '-Xms256m',
  '-XX:+UseSerialGC',
  '-Djava.awt.headless=true',
  // slf4j-simple writes to stderr, which goes to the log file; timestamps make restarts readable.
  '-Dorg.slf4j.simpleLogger.showDateTime=true',
  '-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS',
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
];

interface Resolved {
  port: number;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  propsFile: string;
  pidFile: string;
  lockFile: string;
  keepRunning: boolean;
  readyTimeoutMs: number;
  sasl?: BrokerOptions['sasl'];
}

/** Credentials the readiness probe uses, by client port (a SASL broker refuses anonymous clients). */
const PROBE_SASL = new Map<number, { username: string; password: string }>();

function resolveOptions(opts: BrokerOptions = {}): Resolved {
  const port = opts.port ?? DEFAULT_PORT;
  if (opts.sasl) PROBE_SASL.set(port, opts.sasl.admin);
  const dataDir = path.resolve(opts.dataDir ?? path.join(CACHE_DIR, `run-${port}`));
  return {
    port,
    controllerPort: opts.controllerPort ?? port + 1,
    dataDir,
    logFile: path.resolve(opts.logFile ?? path.join(dataDir, 'broker.log')),
    propsFile: path.join(dataDir, 'server.properties'),
    pidFile: path.join(dataDir, 'broker.pid'),
    lockFile: path.join(dataDir, 'start.lock'),
    keepRunning: opts.keepRunning ?? false,
    readyTimeoutMs: opts.readyTimeoutMs ?? READY_TIMEOUT_MS,
    sasl: opts.sasl,
  };
}

function log(message: string): void {
  process.stderr.write(`[kafka] ${message}\n`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const seconds = (sinceMs: number) => `${((Date.now() - sinceMs) / 1000).toFixed(1)}s`;

// ---------------------------------------------------------------------------------------------
// Jars
// ---------------------------------------------------------------------------------------------

/** The pom is the single source of truth for the version, so the marker can detect an upgrade. */
/** Debian's mvn colours its output even in batch mode; error messages drop the escape codes. */
const ANSI_COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(POM, 'utf8'));
  if (!match) throw new Error(`no <kafka.version> property in ${POM}`);
  return match[1].trim();
}

function libsAreCurrent(version: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(LIBS_MARKER, 'utf8')).version === version;
  } catch {
    return false;
  }
}

function requireTool(command: string, hint: string): void {
  const probe = spawnSync(command, ['-version'], { stdio: 'ignore' });
  if (probe.error) throw new Error(`\`${command}\` not found on PATH: ${hint}`);
}

/**
 * Copies the broker classpath once. The lock keeps parallel launchers (other ports, other test
 * workers) from replacing jars under a starting JVM; copying into a temp folder and renaming it
 * means a killed fetch never leaves a half-filled classpath. An old version's folder is replaced
 * whole, since stale jars would shadow new ones.
 */
export async function ensureJars(): Promise<string> {
  const version = kafkaVersion();
  if (libsAreCurrent(version)) return LIBS_DIR;
  return withFileLock(LIBS_LOCK, async () => fetchJars(version));
}

function fetchJars(version: string): string {
  if (libsAreCurrent(version)) return LIBS_DIR; // fetched by whoever held the lock before us
  requireTool('mvn', 'install Maven (apt-get install maven) to fetch the Kafka jars');
  const started = Date.now();
  log(`fetching Kafka ${version} jars from Maven Central into ${path.relative(REPO_ROOT, LIBS_DIR)} ...`);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const staging = fs.mkdtempSync(path.join(CACHE_DIR, 'libs-staging-'));
  fs.chmodSync(staging, 0o755); // mkdtemp makes it private; other local users may run the broker too
  try {
    // Output is captured, not inherited: the CLI's stdout must carry only the bootstrap address,
    // and Debian's mvn 3.8 prints stray ANSI resets even with -q -B.
    const mvn = spawnSync(
      'mvn',
      ['-q', '-B', '-Dstyle.color=never', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`],
      { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (mvn.status !== 0) {
      const output = `${mvn.stdout ?? ''}${mvn.stderr ?? ''}`.replace(ANSI_COLOURS, '').trim();
      throw new Error(`mvn dependency:copy-dependencies failed (exit ${mvn.status}):\n${output.split('\n').slice(-30).join('\n')}`);
    }
    fs.writeFileSync(
      path.join(staging, path.basename(LIBS_MARKER)),
      JSON.stringify({ version, fetchedAt: new Date().toISOString() }) + '\n',
    );
    fs.rmSync(LIBS_DIR, { recursive: true, force: true });
    fs.renameSync(staging, LIBS_DIR);
    log(`fetched ${fs.readdirSync(LIBS_DIR).length - 1} jars in ${seconds(started)}`);
    return LIBS_DIR;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

// Java expands a trailing `dir/*` in -cp itself, so no shell is needed.
const classpath = (libs: string) => path.join(libs, '*');

// ---------------------------------------------------------------------------------------------
// Config and storage
// ---------------------------------------------------------------------------------------------

/** The listener and authorisation settings of a SASL/SCRAM broker with ACLs. */
function saslSettings(r: Resolved, sasl: NonNullable<Resolved['sasl']>): Record<string, string> {
  const quote = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return {
    listeners: `SASL_PLAINTEXT://${HOST}:${r.port},CONTROLLER://${HOST}:${r.controllerPort}`,
    'advertised.listeners': `SASL_PLAINTEXT://${HOST}:${r.port}`,
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${quote(sasl.admin.username)}" password="${quote(sasl.admin.password)}";`,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    // The controller listener is bound to the loopback address and carries no client traffic.
    'super.users': `User:${sasl.admin.username};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found': 'false',
  };
}

function serverProperties(r: Resolved): string {
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${HOST}:${r.controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${r.port},CONTROLLER://${HOST}:${r.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${r.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': path.join(r.dataDir, 'data'),
    // Topics are created by the catalogue with explicit settings, never by a stray producer.
    'auto.create.topics.enable': false,
    'num.partitions': 6,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    // Single node: internal topics must have RF 1 or groups and transactions hang silently.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // Fewer internal partitions = much faster first group/transaction coordinator load.
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.num.partitions': 10,
    // Removes the ~3 s wait before every new group's first rebalance.
    'group.initial.rebalance.delay.ms': 0,
    // Lets tests use short session timeouts to see dead consumers quickly; it only widens the range.
    'group.min.session.timeout.ms': 1000,
    // Light footprint: the machine has 2 cores and is shared with everything else.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024, // default 128 MiB would eat a quarter of the heap
    'log.segment.bytes': 64 * 1024 * 1024,
    // Retention changes made by tests (alterConfigs retention.ms) take effect within seconds.
    'log.retention.check.interval.ms': 10_000,
    'log.initial.task.delay.ms': 5_000,
    ...(r.sasl ? saslSettings(r, r.sasl) : {}),
  };
  const body = Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  return `# Written by tools/kafka/broker.ts on every start; edit the script, not this file.\n${body}\n`;
}

function runStorageTool(libs: string, args: string[]): string {
  const result = spawnSync('java', ['-cp', classpath(libs), 'kafka.tools.StorageTool', ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`StorageTool ${args[0]} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** KRaft refuses to start on an unformatted log dir; formatting again would wipe the cluster id. */
function formatStorageOnce(libs: string, r: Resolved): boolean {
  if (fs.existsSync(path.join(r.dataDir, 'data', 'meta.properties'))) return false;
  const clusterId = runStorageTool(libs, ['random-uuid']).trim().split(/\s+/).pop() ?? '';
  if (!/^[A-Za-z0-9_-]{22}$/.test(clusterId)) throw new Error(`unexpected cluster id from StorageTool: ${clusterId}`);
  const scram = r.sasl ? Object.entries({ [r.sasl.admin.username]: r.sasl.admin.password, ...r.sasl.users }).flatMap(([name, password]) => ['--add-scram', `SCRAM-SHA-512=[name=${name},password=${password}]`]) : [];
  runStorageTool(libs, ['format', '-t', clusterId, '-c', r.propsFile, ...scram]);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Guards against pid reuse: only signal a process that really is our broker for this dataDir. */
function isOurBroker(pid: number, r: Resolved): boolean {
  if (!isAlive(pid)) return false;
  let command: string | undefined;
  try {
    command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    command = ps.status === 0 ? ps.stdout : undefined;
  }
  // No way to tell (exotic OS): trust the pid file rather than refuse to stop.
  if (command === undefined) return true;
  return command.includes('kafka.Kafka') && command.includes(r.propsFile);
}

function readPid(r: Resolved): number | undefined {
  const pid = Number.parseInt(readOr(r.pidFile, '').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function livePid(r: Resolved): number | undefined {
  const pid = readPid(r);
  return pid !== undefined && isOurBroker(pid, r) ? pid : undefined;
}

function rotateLog(logFile: string): void {
  try {
    if (fs.statSync(logFile).size > LOG_ROTATE_BYTES) fs.renameSync(logFile, `${logFile}.1`);
  } catch {
    /* no log yet */
  }
}

/**
 * Own process group (detached) so a Ctrl-C in the terminal reaches our services first and the
 * broker stays up until they have flushed and committed; it is stopped explicitly afterwards.
 */
function spawnBroker(libs: string, r: Resolved): ChildProcess {
  rotateLog(r.logFile);
  fs.mkdirSync(path.dirname(r.logFile), { recursive: true });
  const out = fs.openSync(r.logFile, 'a');
  fs.writeSync(out, `\n${RUN_MARKER} at ${new Date().toISOString()} =====\n`);
  try {
    const child = spawn('java', [...JVM_OPTS, '-cp', classpath(libs), 'kafka.Kafka', r.propsFile], {
      cwd: r.dataDir,
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new Error('could not spawn java (is a JDK 17 on PATH?)');
    child.unref();
    fs.writeFileSync(r.pidFile, `${child.pid}\n`);
    return child;
  } finally {
    fs.closeSync(out); // the child holds its own copy of the descriptor
  }
}

const RUN_MARKER = '===== broker.ts starting kafka.Kafka';

/**
 * What went wrong in the latest run: its ERROR lines first (the root cause is usually followed by
 * dozens of stack-trace and shutdown lines), then the last lines of the log.
 */
function startupFailureReport(logFile: string): string {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return `(no log file at ${logFile})`;
  }
  const run = text.slice(Math.max(0, text.lastIndexOf(RUN_MARKER))).split('\n');
  const errors = run.filter((line) => / ERROR |^Caused by:|^Exception|^Error/.test(line)).slice(0, 10);
  return [
    `errors in ${logFile}:`,
    ...(errors.length ? errors : ['(none logged)']),
    'last lines:',
    ...run.slice(-15),
  ].join('\n');
}

async function pollUntilAsync(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() >= deadline) return false;
    await sleep(250);
  }
  return true;
}

async function pollUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Our own child stays a zombie (still "alive" to kill(0)) until Node reaps it, so for it the
 * ChildProcess exit status is the truth; for a broker started by another launcher it is kill(0).
 */
function hasExited(pid: number, child?: ChildProcess): boolean {
  return child ? child.exitCode !== null || child.signalCode !== null : !isAlive(pid);
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM gives a clean shutdown (no log recovery on the next start); SIGKILL is the fallback. */
async function terminate(pid: number, child?: ChildProcess): Promise<void> {
  if (hasExited(pid, child) || !signal(pid, 'SIGTERM')) return;
  if (await pollUntil(() => hasExited(pid, child), STOP_TIMEOUT_MS)) return;
  log(`broker pid ${pid} did not stop within ${STOP_TIMEOUT_MS / 1000}s, sending SIGKILL`);
  if (signal(pid, 'SIGKILL')) await pollUntil(() => hasExited(pid, child), 5_000);
}

// ---------------------------------------------------------------------------------------------
// Readiness
// ---------------------------------------------------------------------------------------------

function tcpAccepts(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function probeClient(brokers: string) {
  const sasl = PROBE_SASL.get(Number(brokers.split(',')[0].split(':').pop()));
  return new Kafka({
    clientId: 'broker-launcher-probe',
    brokers: brokers.split(','),
    ...(sasl ? { sasl: { mechanism: 'scram-sha-512' as const, ...sasl } } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    // The launcher loops itself; kafkajs' own retries would only hide progress.
    retry: { retries: 0 },
  });
}

type Readiness = 'down' | 'metadata' | 'ready';

/**
 * 'ready' means a client can fetch metadata AND a group coordinator answers: on a fresh broker
 * __consumer_offsets is created lazily on the first FindCoordinator, and consumers started before
 * it is loaded fail with "group coordinator is not available".
 */
async function probe(brokers: string): Promise<Readiness> {
  const admin = probeClient(brokers).admin();
  let stage: Readiness = 'down';
  try {
    await admin.connect();
    await admin.describeCluster();
    stage = 'metadata';
    await admin.describeGroups(['broker-launcher-readiness-probe']);
    stage = 'ready';
  } catch {
    /* stage says how far it got */
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return stage;
}

type PortState = 'closed' | Readiness;

async function portState(port: number): Promise<PortState> {
  return (await tcpAccepts(port)) ? probe(`${HOST}:${port}`) : 'closed';
}

/** A broker (ours or not) on 127.0.0.1:port serves metadata and a group coordinator. */
export async function acceptsClients(port = DEFAULT_PORT): Promise<boolean> {
  return (await portState(port)) === 'ready';
}

async function waitUntilReady(r: Resolved, child: ChildProcess | undefined, pid: number): Promise<void> {
  const brokers = `${HOST}:${r.port}`;
  const started = Date.now();
  let reported: Readiness = 'down';
  while (Date.now() - started < r.readyTimeoutMs) {
    if (hasExited(pid, child)) {
      const how = child ? `exit code ${child.exitCode}, signal ${child.signalCode}` : 'process gone';
      throw new Error(`Kafka broker exited during startup (${how}); ${startupFailureReport(r.logFile)}`);
    }
    const stage = (await tcpAccepts(r.port, 500)) ? await probe(brokers) : 'down';
    if (stage !== reported && stage !== 'down') {
      log(stage === 'metadata' ? `broker answers metadata after ${seconds(started)}` : `group coordinator ready after ${seconds(started)}`);
      reported = stage;
    }
    if (stage === 'ready') return;
    await sleep(250);
  }
  throw new Error(`Kafka broker not ready within ${r.readyTimeoutMs / 1000}s; ${startupFailureReport(r.logFile)}`);
}

// ---------------------------------------------------------------------------------------------
// Locks: parallel test workers must not fetch jars twice or spawn two brokers on one dataDir
// ---------------------------------------------------------------------------------------------

/** Cross-process mutex via an O_EXCL file holding the owner's pid; a dead owner's lock is broken. */
async function withFileLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readOr(lockFile, ''), 10);
      if (!Number.isInteger(holder) || !isAlive(holder)) {
        fs.rmSync(lockFile, { force: true }); // left behind by a crashed launcher
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockFile} (held by pid ${holder})`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

const noop = async () => undefined;

/**
 * Returns bootstrap servers for a working Kafka: KAFKA_BROKERS if set, else a broker already
 * serving on the port, else a freshly started local one (jars fetched and storage formatted once).
 */
export async function ensureBroker(opts: BrokerOptions = {}): Promise<BrokerHandle> {
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) return { brokers: external, started: false, stop: noop };
  const r = resolveOptions(opts);
  const reuse: BrokerHandle = { brokers: `${HOST}:${r.port}`, started: false, stop: noop };
  const state = await portState(r.port);
  if (state === 'ready') return reuse;
  if (state !== 'closed' && livePid(r) === undefined) {
    // Not ours (another dataDir, a container...): wait for it, since a second broker could not bind.
    await waitUntilServing(r, Math.min(r.readyTimeoutMs, FOREIGN_WAIT_MS));
    return reuse;
  }
  return withFileLock(r.lockFile, async () => {
    // Another launcher may have started it, or be stopping an old one, while we waited.
    const existing = livePid(r);
    if (existing !== undefined) {
      log(`broker pid ${existing} exists but is not serving yet; waiting for it`);
      try {
        await waitUntilReady(r, undefined, existing);
        return reuse;
      } catch (err) {
        if (isAlive(existing)) throw err;
        log(`broker pid ${existing} went away; starting a new one`);
      }
    }
    return startBroker(r);
  });
}

async function waitUntilServing(r: Resolved, timeoutMs: number): Promise<void> {
  const ok = await pollUntilAsync(async () => (await portState(r.port)) === 'ready', timeoutMs);
  if (!ok) {
    throw new Error(
      `${HOST}:${r.port} is taken by a process this launcher did not start, and it does not serve Kafka ` +
        `(metadata + group coordinator) within ${timeoutMs / 1000}s; free the port or set KAFKA_BROKERS`,
    );
  }
}

async function startBroker(r: Resolved): Promise<BrokerHandle> {
  const brokers = `${HOST}:${r.port}`;
  const libs = await ensureJars();
  requireTool('java', 'install a JDK 17 (apt-get install openjdk-17-jre-headless)');
  fs.writeFileSync(r.propsFile, serverProperties(r));
  const started = Date.now();
  if (formatStorageOnce(libs, r)) log(`formatted KRaft storage in ${path.join(r.dataDir, 'data')} (${seconds(started)})`);
  const child = spawnBroker(libs, r);
  const pid = child.pid as number;
  log(`started broker pid ${pid} on ${brokers} (log: ${r.logFile})`);
  const killOnExit = () => void signal(pid, 'SIGTERM');
  if (!r.keepRunning) process.once('exit', killOnExit);
  try {
    await waitUntilReady(r, child, pid);
  } catch (err) {
    await terminate(pid, child);
    removePidFile(r, pid);
    throw err;
  }
  log(`Kafka ready on ${brokers} in ${seconds(started)}`);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(pid, child);
    removePidFile(r, pid);
  };
  return { brokers, started: true, stop };
}

function removePidFile(r: Resolved, pid: number): void {
  if (readPid(r) === pid) fs.rmSync(r.pidFile, { force: true });
}

/**
 * Stops the broker recorded in <dataDir>/broker.pid (SIGTERM, then SIGKILL after 30 s).
 * Returns false when there was no live broker of ours to stop.
 */
export async function stopBroker(opts: Pick<BrokerOptions, 'port' | 'dataDir'> = {}): Promise<boolean> {
  const r = resolveOptions(opts);
  const pid = livePid(r);
  if (pid === undefined) {
    fs.rmSync(r.pidFile, { force: true });
    return false;
  }
  const started = Date.now();
  await terminate(pid);
  removePidFile(r, pid);
  log(`stopped broker pid ${pid} in ${seconds(started)}`);
  return true;
}

/**
 * Stop then start on the same dataDir, keeping topics and offsets (for chaos tests).
 * Throws rather than silently "restarting" an external or foreign broker.
 */
export async function restartBroker(opts: BrokerOptions = {}): Promise<BrokerHandle> {
  if (process.env.KAFKA_BROKERS?.trim()) throw new Error('KAFKA_BROKERS is set: refusing to restart an external cluster');
  const r = resolveOptions(opts);
  const stopped = await stopBroker(opts);
  if (!stopped && (await portState(r.port)) !== 'closed') {
    throw new Error(`the broker on ${HOST}:${r.port} was not started by this launcher (no live pid in ${r.pidFile})`);
  }
  return ensureBroker(opts);
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

/** The suite's principals for `start --sasl`: an admin and one user per service, generated once and kept. */
const SASL_SERVICES = ['webhook-gateway', 'kyc-results', 'aml-trigger', 'retention', 'audit-log'];
function saslCredentials(dataDir: string): NonNullable<BrokerOptions['sasl']> {
  const file = path.join(dataDir, 'sasl-users.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const secret = () => randomBytes(24).toString('base64url');
  const creds = { admin: { username: 'admin', password: secret() }, users: Object.fromEntries(SASL_SERVICES.map((s) => [s, secret()])) };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

function parseCli(argv: string[]): { command: string; opts: BrokerOptions; sasl: boolean } {
  const [command = 'status', ...rest] = argv;
  const opts: BrokerOptions = {};
  let sasl = false;
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (flag === '--sasl') {
      sasl = true;
      continue;
    }
    if (flag === '--port') opts.port = Number.parseInt(value, 10);
    else if (flag === '--controller-port') opts.controllerPort = Number.parseInt(value, 10);
    else if (flag === '--data-dir') opts.dataDir = value;
    else throw new Error(`unknown option ${flag}`);
    i++;
  }
  if (opts.port !== undefined && !(opts.port > 0 && opts.port < 65536)) throw new Error('--port needs a port number');
  return { command, opts, sasl };
}

async function cli(argv: string[]): Promise<number> {
  const { command, opts, sasl } = parseCli(argv);
  const port = opts.port ?? DEFAULT_PORT;
  switch (command) {
    case 'start': {
      if (sasl) {
        // SASL/SCRAM with ACLs: its own storage (users are created when it is formatted).
        opts.dataDir ??= path.join(CACHE_DIR, `run-${port}-sasl`);
        opts.sasl = saslCredentials(opts.dataDir);
      }
      const handle = await ensureBroker({ ...opts, keepRunning: true });
      if (!handle.started) log(`reusing the broker already serving ${handle.brokers}`);
      if (opts.sasl) {
        log(
          `SASL/SCRAM-SHA-512 with ACLs (none granted yet): the admin and each service (KAFKA_SASL_USERNAME = its name) are in ` +
            `${path.join(opts.dataDir as string, 'sasl-users.json')}; run the topic setup as admin with KAFKA_APPLY_ACLS=true to grant the services theirs`,
        );
      }
      process.stdout.write(`${handle.brokers}\n`);
      return 0;
    }
    case 'stop':
      if (!(await stopBroker(opts))) log(`no broker of ours running for port ${port}`);
      return 0;
    case 'restart': {
      const handle = await restartBroker({ ...opts, keepRunning: true });
      process.stdout.write(`${handle.brokers}\n`);
      return 0;
    }
    case 'status': {
      const state = await portState(port);
      const pid = livePid(resolveOptions(opts));
      const owner = pid !== undefined ? ` (launcher pid ${pid})` : state === 'closed' ? '' : ' (not started by this launcher)';
      const described: Record<PortState, string> = {
        ready: 'accepts clients',
        metadata: 'answers metadata but has no group coordinator yet',
        down: 'is open but does not answer Kafka requests',
        closed: 'does not accept clients',
      };
      process.stdout.write(`${HOST}:${port} ${described[state]}${owner}\n`);
      return state === 'ready' ? 0 : 1;
    }
    default:
      process.stderr.write('usage: tsx tools/kafka/broker.ts start|stop|restart|status [--port N] [--data-dir DIR] [--sasl]\n');
      return 2;
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`[kafka] ${err.message}\n`);
      process.exit(1);
    },
  );
}
