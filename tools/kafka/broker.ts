/**
 * Local Apache Kafka (KRaft, broker+controller combined) for dev and tests: one node by default, or a
 * cluster of N nodes on this machine (`--brokers 3` or KAFKA_CLUSTER_SIZE=3).
 *
 * There is no Docker engine on the dev/CI machines, so the real broker jars come from Maven Central
 * (tools/kafka/pom.xml) and `kafka.Kafka` runs straight from that classpath.
 *
 *   tsx tools/kafka/broker.ts start|stop|restart|status [--port 9092] [--data-dir DIR] [--brokers N]
 *
 * A cluster of N: node ids 1..N, each broker and controller at once, all N in the controller quorum;
 * node i serves clients on port + 2(i-1) and its controller on the port after (9092/9093, 9094/9095,
 * 9096/9097), keeps its storage in <dataDir>/node-<i> (default .cache/kafka/cluster-<port>), all
 * formatted with one cluster id; replication factor min(3, N) and min.insync.replicas 2 from 3 nodes.
 *
 * Library use: `ensureBroker()` (reuses KAFKA_BROKERS or a broker already on the port),
 * `stopBroker()`, `restartBroker()`; for a cluster's nodes, as chaos runs need them: `clusterNodes()`,
 * `startNode()`, `stopNode()`, `killNode()`, `pauseNode()`, `resumeNode()`, `activeController()`.
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
  /**
   * Nodes of a local cluster (default KAFKA_CLUSTER_SIZE, else 1; always 1 with `sasl` or a `dataDir`
   * unless given here). With more than one, `port` is node 1's client port and `dataDir` the cluster's
   * folder (default <repo>/.cache/kafka/cluster-<port>); `controllerPort` and `logFile` do not apply.
   */
  clusterSize?: number;
}

/** Which cluster: what the per-node helpers need to find its nodes. */
export type ClusterOptions = Pick<BrokerOptions, 'port' | 'dataDir' | 'clusterSize' | 'keepRunning' | 'readyTimeoutMs'>;

/** One node of a local cluster. */
export interface ClusterNode {
  nodeId: number;
  port: number;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  /** Its live pid (a process of this launcher), if it runs. */
  pid?: number;
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
const JVM_HEAP = ['-Xmx512m', '-Xms256m'];
// Three nodes on one machine: smaller still (three heaps next to twice the services).
const CLUSTER_JVM_HEAP = ['-Xmx384m', '-Xms192m'];
const JVM_OPTS = [
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
  /** 1..clusterSize. */
  nodeId: number;
  clusterSize: number;
  /** controller.quorum.voters: every node of the cluster. */
  voters: string;
  /** The cluster's folder (its id, its lock); the node's own dataDir for a single broker. */
  clusterDir: string;
  /** Prefix of log lines: '' for a single broker, 'node N: ' in a cluster. */
  label: string;
}

/** Credentials the readiness probe uses, by client port (a SASL broker refuses anonymous clients). */
const PROBE_SASL = new Map<number, { username: string; password: string }>();

/** KAFKA_CLUSTER_SIZE, or 1. */
export function clusterSizeFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.KAFKA_CLUSTER_SIZE?.trim();
  if (!raw) return 1;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > 9) throw new Error(`KAFKA_CLUSTER_SIZE must be a whole number from 1 to 9, not ${raw}`);
  return size;
}

/** The cluster size a call means: given, else KAFKA_CLUSTER_SIZE — except for a SASL broker or an explicit dataDir (single). */
export function clusterSizeOf(opts: Pick<BrokerOptions, 'clusterSize' | 'sasl' | 'dataDir'> = {}): number {
  const size = opts.clusterSize ?? (opts.sasl || opts.dataDir ? 1 : clusterSizeFromEnv());
  if (!Number.isInteger(size) || size < 1) throw new Error(`a cluster needs a whole number of nodes, not ${size}`);
  if (size > 1 && opts.sasl) throw new Error('SASL is supported on a single local broker only');
  return size;
}

function resolveOptions(opts: BrokerOptions = {}): Resolved {
  const size = clusterSizeOf(opts);
  if (size > 1) return resolveNode(opts, 1, size);
  const port = opts.port ?? DEFAULT_PORT;
  if (opts.sasl) PROBE_SASL.set(port, opts.sasl.admin);
  const dataDir = path.resolve(opts.dataDir ?? path.join(CACHE_DIR, `run-${port}`));
  const controllerPort = opts.controllerPort ?? port + 1;
  return {
    port,
    controllerPort,
    dataDir,
    logFile: path.resolve(opts.logFile ?? path.join(dataDir, 'broker.log')),
    propsFile: path.join(dataDir, 'server.properties'),
    pidFile: path.join(dataDir, 'broker.pid'),
    lockFile: path.join(dataDir, 'start.lock'),
    keepRunning: opts.keepRunning ?? false,
    readyTimeoutMs: opts.readyTimeoutMs ?? READY_TIMEOUT_MS,
    sasl: opts.sasl,
    nodeId: 1,
    clusterSize: 1,
    voters: `1@${HOST}:${controllerPort}`,
    clusterDir: dataDir,
    label: '',
  };
}

/** Node `nodeId` of a cluster of `size`: ports two apart from node 1's, storage in <clusterDir>/node-<id>. */
function resolveNode(opts: BrokerOptions, nodeId: number, size: number): Resolved {
  if (!(nodeId >= 1 && nodeId <= size)) throw new Error(`node ${nodeId} is not in a cluster of ${size}`);
  const base = opts.port ?? DEFAULT_PORT;
  const portOf = (id: number) => base + 2 * (id - 1);
  const clusterDir = path.resolve(opts.dataDir ?? path.join(CACHE_DIR, `cluster-${base}`));
  const dataDir = path.join(clusterDir, `node-${nodeId}`);
  return {
    port: portOf(nodeId),
    controllerPort: portOf(nodeId) + 1,
    dataDir,
    logFile: path.join(dataDir, 'broker.log'),
    propsFile: path.join(dataDir, 'server.properties'),
    pidFile: path.join(dataDir, 'broker.pid'),
    lockFile: path.join(dataDir, 'start.lock'),
    keepRunning: opts.keepRunning ?? false,
    readyTimeoutMs: opts.readyTimeoutMs ?? READY_TIMEOUT_MS,
    nodeId,
    clusterSize: size,
    voters: Array.from({ length: size }, (_, i) => `${i + 1}@${HOST}:${portOf(i + 1) + 1}`).join(','),
    clusterDir,
    label: `node ${nodeId}: `,
  };
}

function resolveCluster(opts: BrokerOptions): Resolved[] {
  const size = clusterSizeOf(opts);
  if (size === 1) return [resolveOptions(opts)];
  return Array.from({ length: size }, (_, i) => resolveNode(opts, i + 1, size));
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

/**
 * Replication of a local cluster of `size` nodes: three copies from three nodes, two of them
 * acknowledged (acks=all) before a write counts, and never a leader that missed writes.
 */
export function replicationSettings(size: number): Record<string, string | number | boolean> {
  const rf = Math.min(3, size);
  const minIsr = rf >= 3 ? 2 : 1;
  return {
    'default.replication.factor': rf,
    'min.insync.replicas': minIsr,
    // Internal topics must not ask for more replicas than there are nodes, or groups and transactions hang silently.
    'offsets.topic.replication.factor': rf,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': minIsr,
    ...(size > 1
      ? {
          // Never a leader that missed acknowledged writes (Kafka's default, stated).
          'unclean.leader.election.enable': false,
          // acks=all waits for every replica in the ISR: a frozen follower stalls the partition's writes until
          // it drops out of the ISR. 10 s instead of the default 30 s bounds that stall.
          'replica.lag.time.max.ms': 10_000,
          // Leadership goes back to the preferred replicas a minute after a node returns, not five.
          'leader.imbalance.check.interval.seconds': 60,
          'num.replica.fetchers': 1,
        }
      : {}),
  };
}

function serverProperties(r: Resolved): string {
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': r.nodeId,
    'controller.quorum.voters': r.voters,
    listeners: `PLAINTEXT://${HOST}:${r.port},CONTROLLER://${HOST}:${r.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${r.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': path.join(r.dataDir, 'data'),
    // Topics are created by the catalogue with explicit settings, never by a stray producer.
    'auto.create.topics.enable': false,
    'num.partitions': 6,
    ...replicationSettings(r.clusterSize),
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

/**
 * KRaft refuses to start on an unformatted log dir; formatting again would wipe the cluster id. The
 * nodes of a cluster share one id, kept in <clusterDir>/cluster.id.
 */
function formatStorageOnce(libs: string, r: Resolved): boolean {
  if (fs.existsSync(path.join(r.dataDir, 'data', 'meta.properties'))) return false;
  const idFile = path.join(r.clusterDir, 'cluster.id');
  const kept = r.clusterSize > 1 ? readOr(idFile, '').trim() : '';
  const clusterId = kept || (runStorageTool(libs, ['random-uuid']).trim().split(/\s+/).pop() ?? '');
  if (!/^[A-Za-z0-9_-]{22}$/.test(clusterId)) throw new Error(`unexpected cluster id from StorageTool: ${clusterId}`);
  if (r.clusterSize > 1 && !kept) fs.writeFileSync(idFile, `${clusterId}\n`);
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
    const heap = r.clusterSize > 1 ? CLUSTER_JVM_HEAP : JVM_HEAP;
    const child = spawn('java', [...heap, ...JVM_OPTS, '-cp', classpath(libs), 'kafka.Kafka', r.propsFile], {
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
      throw new Error(`${r.label}Kafka broker exited during startup (${how}); ${startupFailureReport(r.logFile)}`);
    }
    const stage = (await tcpAccepts(r.port, 500)) ? await probe(brokers) : 'down';
    if (stage !== reported && stage !== 'down') {
      log(`${r.label}${stage === 'metadata' ? `broker answers metadata after ${seconds(started)}` : `group coordinator ready after ${seconds(started)}`}`);
      reported = stage;
    }
    if (stage === 'ready') return;
    await sleep(250);
  }
  throw new Error(`${r.label}Kafka broker not ready within ${r.readyTimeoutMs / 1000}s; ${startupFailureReport(r.logFile)}`);
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
 * Returns bootstrap servers for a working Kafka: KAFKA_BROKERS if set, else a broker (or cluster)
 * already serving on the port(s), else a freshly started local one (jars fetched and storage
 * formatted once). A cluster when `clusterSize` (or KAFKA_CLUSTER_SIZE) is above 1.
 */
export async function ensureBroker(opts: BrokerOptions = {}): Promise<BrokerHandle> {
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) return { brokers: external, started: false, stop: noop };
  if (clusterSizeOf(opts) > 1) return ensureCluster(opts);
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

/** Writes the node's server.properties and formats its storage the first time. */
function prepareNode(libs: string, r: Resolved): void {
  fs.mkdirSync(r.dataDir, { recursive: true });
  fs.writeFileSync(r.propsFile, serverProperties(r));
  const started = Date.now();
  if (formatStorageOnce(libs, r)) log(`${r.label}formatted KRaft storage in ${path.join(r.dataDir, 'data')} (${seconds(started)})`);
}

async function startBroker(r: Resolved): Promise<BrokerHandle> {
  const brokers = `${HOST}:${r.port}`;
  const libs = await ensureJars();
  requireTool('java', 'install a JDK 17 (apt-get install openjdk-17-jre-headless)');
  const started = Date.now();
  prepareNode(libs, r);
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

// ---------------------------------------------------------------------------------------------
// A local cluster
// ---------------------------------------------------------------------------------------------

const bootstrapOf = (nodes: Resolved[]) => nodes.map((n) => `${HOST}:${n.port}`).join(',');

/** Brokers registered in the cluster, as one of `brokers` sees it; -1 when none answers. */
async function registeredBrokers(brokers: string): Promise<number> {
  const admin = probeClient(brokers).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } catch {
    return -1;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Starts the nodes of a cluster that are not running, all at once (a node waits for a quorum of
 * controllers before it serves), then waits until every node serves clients and a group
 * coordinator, and every broker is registered.
 */
async function ensureCluster(opts: BrokerOptions): Promise<BrokerHandle> {
  const nodes = resolveCluster(opts);
  const brokers = bootstrapOf(nodes);
  const reuse: BrokerHandle = { brokers, started: false, stop: noop };
  const states = await Promise.all(nodes.map((n) => portState(n.port)));
  if (states.every((s) => s === 'ready') && (await registeredBrokers(brokers)) === nodes.length) return reuse;
  nodes.forEach((n, i) => {
    if (states[i] !== 'closed' && livePid(n) === undefined) {
      throw new Error(
        `${HOST}:${n.port} (node ${n.nodeId} of a cluster of ${nodes.length}) is taken by a process this launcher did not start ` +
          `for that cluster (a single broker on the same port?): stop it (tsx tools/kafka/broker.ts stop) or use another --port`,
      );
    }
  });
  fs.mkdirSync(nodes[0].clusterDir, { recursive: true });
  return withFileLock(path.join(nodes[0].clusterDir, 'start.lock'), async () => {
    const libs = await ensureJars();
    requireTool('java', 'install a JDK 17 (apt-get install openjdk-17-jre-headless)');
    const started = Date.now();
    const ours: Resolved[] = [];
    const waits: Array<Promise<void>> = [];
    const killOnExit = () => ours.forEach((r) => void signalNode(r, 'SIGTERM'));
    for (const r of nodes) {
      const existing = livePid(r);
      if (existing !== undefined) {
        waits.push(waitUntilReady(r, undefined, existing));
        continue;
      }
      prepareNode(libs, r);
      const child = spawnBroker(libs, r);
      log(`${r.label}started broker pid ${child.pid} on ${HOST}:${r.port}, controller on ${r.controllerPort} (log: ${r.logFile})`);
      ours.push(r);
      waits.push(waitUntilReady(r, child, child.pid as number));
    }
    if (!nodes[0].keepRunning) process.once('exit', killOnExit);
    try {
      const settled = await Promise.allSettled(waits);
      const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) throw failed.reason;
      const deadline = Date.now() + nodes[0].readyTimeoutMs;
      while ((await registeredBrokers(brokers)) !== nodes.length) {
        if (Date.now() > deadline) throw new Error(`the cluster on ${brokers} did not register its ${nodes.length} brokers in time`);
        await sleep(250);
      }
    } catch (err) {
      process.removeListener('exit', killOnExit);
      await Promise.all(ours.map((r) => stopNodeOf(r)));
      throw err;
    }
    log(`Kafka cluster of ${nodes.length} ready on ${brokers} in ${seconds(started)}`);
    const stop = async () => {
      process.removeListener('exit', killOnExit);
      // By pid file: a chaos run may have restarted a node since.
      await Promise.all(ours.map((r) => stopNodeOf(r)));
    };
    return { brokers, started: ours.length > 0, stop: ours.length > 0 ? stop : noop };
  });
}

function signalNode(r: Resolved, name: NodeJS.Signals): number | undefined {
  const pid = livePid(r);
  return pid !== undefined && signal(pid, name) ? pid : undefined;
}

async function stopNodeOf(r: Resolved): Promise<boolean> {
  const pid = livePid(r);
  if (pid === undefined) {
    fs.rmSync(r.pidFile, { force: true });
    return false;
  }
  const started = Date.now();
  await terminate(pid);
  removePidFile(r, pid);
  log(`${r.label}stopped broker pid ${pid} in ${seconds(started)}`);
  return true;
}

function nodeOf(opts: ClusterOptions, nodeId: number): Resolved {
  const size = clusterSizeOf(opts);
  if (size === 1 && nodeId === 1) return resolveOptions(opts);
  return resolveNode(opts, nodeId, size);
}

/** The nodes of the local cluster `opts` names (one for a single broker), with their live pids. */
export function clusterNodes(opts: ClusterOptions = {}): ClusterNode[] {
  return resolveCluster(opts).map((r) => ({ nodeId: r.nodeId, port: r.port, controllerPort: r.controllerPort, dataDir: r.dataDir, logFile: r.logFile, pid: livePid(r) }));
}

/** Bootstrap servers of the local cluster `opts` names (every node). */
export function clusterBrokers(opts: ClusterOptions = {}): string {
  return bootstrapOf(resolveCluster(opts));
}

/**
 * Starts one node of a cluster whose other nodes run (after a kill or a stop) and waits until it
 * serves clients; a node already running is left as it is. Returns its pid. It has not necessarily
 * caught up with the other replicas yet (ISR).
 */
export async function startNode(opts: ClusterOptions, nodeId: number): Promise<number> {
  const r = nodeOf(opts, nodeId);
  const existing = livePid(r);
  if (existing !== undefined) {
    await waitUntilReady(r, undefined, existing);
    return existing;
  }
  if ((await portState(r.port)) !== 'closed') throw new Error(`${HOST}:${r.port} is taken by a process this launcher did not start`);
  const libs = await ensureJars();
  prepareNode(libs, r);
  const started = Date.now();
  const child = spawnBroker(libs, r);
  const pid = child.pid as number;
  if (!r.keepRunning) process.once('exit', () => void signal(pid, 'SIGTERM'));
  try {
    await waitUntilReady(r, child, pid);
  } catch (err) {
    await terminate(pid, child);
    removePidFile(r, pid);
    throw err;
  }
  log(`${r.label}broker pid ${pid} serves ${HOST}:${r.port} again after ${seconds(started)}`);
  return pid;
}

/** Stops one node cleanly (SIGTERM: controlled shutdown, leadership handed over first). */
export async function stopNode(opts: ClusterOptions, nodeId: number): Promise<boolean> {
  return stopNodeOf(nodeOf(opts, nodeId));
}

/** Kills one node as a crash would (SIGKILL) and waits until it is gone. Returns false when it was not running. */
export async function killNode(opts: ClusterOptions, nodeId: number): Promise<boolean> {
  const r = nodeOf(opts, nodeId);
  const pid = signalNode(r, 'SIGKILL');
  if (pid === undefined) return false;
  await pollUntil(() => livePid(r) === undefined, 10_000);
  removePidFile(r, pid);
  log(`${r.label}killed broker pid ${pid} (SIGKILL)`);
  return true;
}

/** Freezes one node (SIGSTOP): its sockets stay open but it answers nothing, as a long GC pause or a hung VM. */
export function pauseNode(opts: ClusterOptions, nodeId: number): boolean {
  const r = nodeOf(opts, nodeId);
  const pid = signalNode(r, 'SIGSTOP');
  if (pid !== undefined) log(`${r.label}paused broker pid ${pid} (SIGSTOP)`);
  return pid !== undefined;
}

/** Thaws a node paused by `pauseNode` (SIGCONT). */
export function resumeNode(opts: ClusterOptions, nodeId: number): boolean {
  const r = nodeOf(opts, nodeId);
  const pid = signalNode(r, 'SIGCONT');
  if (pid !== undefined) log(`${r.label}resumed broker pid ${pid} (SIGCONT)`);
  return pid !== undefined;
}

/**
 * The KRaft quorum's leader (the active controller) as the nodes recorded it: each voter persists
 * the latest election it knows in <data>/__cluster_metadata-0/quorum-state; the highest epoch with a
 * leader wins. kafkajs cannot ask (it has no DescribeQuorum), and its describeCluster().controller is
 * not it: a KRaft broker answers a random live broker there, as clients cannot reach controllers.
 */
export function activeController(opts: ClusterOptions = {}): { nodeId: number; epoch: number } | undefined {
  let best: { nodeId: number; epoch: number } | undefined;
  for (const r of resolveCluster(opts)) {
    try {
      const state = JSON.parse(fs.readFileSync(path.join(r.dataDir, 'data', '__cluster_metadata-0', 'quorum-state'), 'utf8')) as { leaderId?: number; leaderEpoch?: number };
      if (typeof state.leaderId === 'number' && state.leaderId > 0 && typeof state.leaderEpoch === 'number' && (!best || state.leaderEpoch > best.epoch)) {
        best = { nodeId: state.leaderId, epoch: state.leaderEpoch };
      }
    } catch {
      /* not formatted or not written yet */
    }
  }
  return best;
}

/**
 * Stops the broker recorded in <dataDir>/broker.pid (SIGTERM, then SIGKILL after 30 s), or every
 * node of a cluster at once. Returns false when there was no live broker of ours to stop.
 */
export async function stopBroker(opts: Pick<BrokerOptions, 'port' | 'dataDir' | 'clusterSize'> = {}): Promise<boolean> {
  const stopped = await Promise.all(resolveCluster(opts).map((r) => stopNodeOf(r)));
  return stopped.some(Boolean);
}

/**
 * Stop then start on the same dataDir, keeping topics and offsets (for chaos tests).
 * Throws rather than silently "restarting" an external or foreign broker.
 */
export async function restartBroker(opts: BrokerOptions = {}): Promise<BrokerHandle> {
  if (process.env.KAFKA_BROKERS?.trim()) throw new Error('KAFKA_BROKERS is set: refusing to restart an external cluster');
  const nodes = resolveCluster(opts);
  const stopped = await stopBroker(opts);
  if (!stopped && (await portState(nodes[0].port)) !== 'closed') {
    throw new Error(`the broker on ${HOST}:${nodes[0].port} was not started by this launcher (no live pid in ${nodes[0].pidFile})`);
  }
  return ensureBroker(opts);
}

/** The server.properties a node gets (for checks): node `nodeId` of the cluster `opts` names. */
export function nodeProperties(opts: BrokerOptions = {}, nodeId = 1): string {
  return serverProperties(nodeOf(opts, nodeId));
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
    else if (flag === '--brokers') opts.clusterSize = Number.parseInt(value, 10);
    else throw new Error(`unknown option ${flag}`);
    i++;
  }
  if (opts.port !== undefined && !(opts.port > 0 && opts.port < 65536)) throw new Error('--port needs a port number');
  if (opts.clusterSize !== undefined && !(opts.clusterSize >= 1 && opts.clusterSize <= 9)) throw new Error('--brokers needs a number of nodes from 1 to 9');
  // KAFKA_CLUSTER_SIZE applies to the CLI as to the library, --data-dir included.
  if (opts.clusterSize === undefined && !sasl) opts.clusterSize = clusterSizeFromEnv();
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
      if (clusterSizeOf(opts) > 1) return clusterStatus(opts);
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
      process.stderr.write('usage: tsx tools/kafka/broker.ts start|stop|restart|status [--port N] [--data-dir DIR] [--sasl | --brokers N]\n');
      return 2;
  }
}

/** One line per node, then the cluster's view: registered brokers and the active controller. */
async function clusterStatus(opts: BrokerOptions): Promise<number> {
  const nodes = resolveCluster(opts);
  const states = await Promise.all(nodes.map((n) => portState(n.port)));
  nodes.forEach((n, i) => {
    const pid = livePid(n);
    const owner = pid !== undefined ? ` (launcher pid ${pid})` : states[i] === 'closed' ? '' : ' (not started by this launcher)';
    process.stdout.write(`node ${n.nodeId} ${HOST}:${n.port} (controller ${n.controllerPort}) ${states[i] === 'ready' ? 'accepts clients' : states[i] === 'closed' ? 'does not accept clients' : `is ${states[i]} only`}${owner}\n`);
  });
  const registered = await registeredBrokers(bootstrapOf(nodes));
  const controller = activeController(opts);
  process.stdout.write(`cluster: ${Math.max(registered, 0)} of ${nodes.length} brokers registered; active controller ${controller ? `node ${controller.nodeId} (epoch ${controller.epoch})` : 'unknown'}\n`);
  return states.every((s) => s === 'ready') && registered === nodes.length ? 0 : 1;
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
