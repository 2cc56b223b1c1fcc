import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
// A relative import: Jest's global setup runs outside the module mapper, and the broker launcher is a
// tool (tools/kafka), not a library.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ensureBroker } from '../../../tools/kafka/broker';

/** The suite's local Postgres (the services' default DATABASE_URL); this lib depends on no runtime lib. */
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/compliance';

/**
 * Where tests get Kafka and Postgres, in DESIGN §3's order: the environment, then
 * testcontainers when a Docker engine answers, then the local broker launcher and local Postgres.
 */
export interface Infrastructure {
  brokers: string;
  databaseUrl: string;
  containers?: boolean;
  stop(): Promise<void>;
}

function dockerEngineAnswers(): boolean {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function postgresAnswers(url: string): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts the machine's Postgres cluster when it is installed but down (Debian's pg_ctlcluster). */
function startLocalPostgres(): void {
  const clusters = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).trim().split('\n');
  for (const line of clusters) {
    const [version, cluster, , status] = line.split(/\s+/);
    if (status !== 'online') execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, 'start'], { stdio: 'inherit' });
  }
}

async function ensurePostgres(url: string): Promise<void> {
  if (await postgresAnswers(url)) return;
  startLocalPostgres();
  for (let i = 0; i < 30 && !(await postgresAnswers(url)); i++) await new Promise((r) => setTimeout(r, 1000));
  if (!(await postgresAnswers(url))) throw new Error('Postgres does not answer; set DATABASE_URL or start it');
}

async function fromContainers(): Promise<Infrastructure> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const kafka = await new GenericContainer('apache/kafka:3.9.1')
    .withExposedPorts({ container: 9092, host: 19092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const pg = await new GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
    .start();
  return {
    containers: true,
    brokers: '127.0.0.1:19092',
    databaseUrl: `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/compliance`,
    stop: async () => {
      await Promise.all([kafka.stop(), pg.stop()]);
    },
  };
}

export async function provideInfrastructure(): Promise<Infrastructure> {
  const givenKafka = process.env.KAFKA_BROKERS;
  const givenDb = process.env.DATABASE_URL;
  if (!givenKafka && !givenDb && dockerEngineAnswers()) return fromContainers();
  const databaseUrl = givenDb ?? DEFAULT_DATABASE_URL;
  await ensurePostgres(databaseUrl);
  // ensureBroker starts nothing when KAFKA_BROKERS is set, and reuses a broker already on the port.
  const broker = await ensureBroker({ port: Number(process.env.TEST_KAFKA_PORT ?? 9092) });
  return { brokers: broker.brokers, databaseUrl, stop: () => broker.stop() };
}
