import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { encodeEvent, EventSources, EventTypes, newEvent, Topics } from '@compliance/contracts';
import { createKafka, saslFromEnv } from '@compliance/messaging';
// The broker launcher and the secrets command are tools, not libraries.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ensureJars } from '../tools/kafka/broker';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { generateSecrets } from '../tools/secrets/generate';

/**
 * The broker of `docker compose -f docker-compose.yml -f docker-compose.sasl.yml up`, run here without
 * a container engine: its script (`tools/compose/kafka-sasl.sh`) with the environment the overlay gives
 * it and the passwords `npm run secrets` writes, the Kafka jars in place of the image's `/opt/kafka`.
 * Then the topic setup as the overlay runs it (admin, KAFKA_APPLY_ACLS) and each service as the overlay
 * configures it.
 */
const ROOT = join(__dirname, '..');
const PORT = 19_492 + (process.pid % 50) * 2;
const DIR = join(ROOT, '.cache', 'kafka', `run-compose-sasl-${PORT}`);
const DENIED = /TOPIC_AUTHORIZATION_FAILED|not authorized/i;

type Env = Record<string, string>;
const overlay = parse(readFileSync(join(ROOT, 'docker-compose.sasl.yml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Env }> };
const { secrets } = generateSecrets();
/** `${NAME:?…}` from the generated .env, as compose resolves it. */
const resolveEnv = (env: Env = {}): Env =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(/\$\{([A-Z0-9_]+):\?[^}]*\}/g, (_, name: string) => {
        const value = (secrets as unknown as Env)[name];
        if (value === undefined) throw new Error(`${name} is not written by npm run secrets`);
        return value;
      }),
    ]),
  );
const serviceEnv = (service: string): Env => resolveEnv(overlay.services[service].environment);

describe('docker-compose.sasl.yml: its broker script, topic setup and service credentials (a real broker)', () => {
  let broker: ChildProcess | undefined;
  const brokers = [`127.0.0.1:${PORT}`];
  const clientOf = (env: Env) => createKafka({ brokers, clientId: 'compose-sasl-spec', sasl: saslFromEnv(env) });

  async function send(env: Env, topic: string): Promise<string> {
    const producer = clientOf(env).producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    try {
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [encodeEvent(newEvent({ type: EventTypes.WebhookReceived, source: EventSources.WebhookGateway, data: { n: 1 } }), 'k')] });
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  beforeAll(async () => {
    rmSync(DIR, { recursive: true, force: true });
    // Stand-ins for the image's /opt/kafka/bin scripts, running the same Kafka version's jars.
    const libs = await ensureJars();
    mkdirSync(join(DIR, 'home', 'bin'), { recursive: true });
    const tool = (name: string, main: string, jvm = '') => {
      const file = join(DIR, 'home', 'bin', name);
      writeFileSync(file, `#!/bin/sh\nexec java ${jvm} -cp '${join(libs, '*')}' ${main} "$@"\n`);
      chmodSync(file, 0o755);
    };
    tool('kafka-storage.sh', 'kafka.tools.StorageTool');
    tool('kafka-server-start.sh', 'kafka.Kafka', '-Xmx512m -Xms256m -XX:+UseSerialGC');

    const env = { ...process.env, ...serviceEnv('kafka'), KAFKA_HOME: join(DIR, 'home'), KAFKA_DATA_DIR: join(DIR, 'data'), KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1), KAFKA_ADVERTISED_HOST: '127.0.0.1' };
    const log = openSync(join(DIR, 'broker.log'), 'a');
    broker = spawn('bash', [join(ROOT, 'tools', 'compose', 'kafka-sasl.sh')], { env, detached: true, stdio: ['ignore', log, log] });

    // Ready when the admin can list topics.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const admin = clientOf(serviceEnv('topic-setup')).admin();
      try {
        await admin.connect();
        await admin.listTopics();
        break;
      } catch (err) {
        if (Date.now() > deadline || broker.exitCode !== null) throw new Error(`the compose SASL broker did not start: ${(err as Error).message}\n${readFileSync(join(DIR, 'broker.log'), 'utf8').slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }

    // The topic setup exactly as the overlay configures it (admin, KAFKA_APPLY_ACLS=true).
    const setup = spawnSync('npx', ['tsx', join(ROOT, 'libs', 'messaging', 'src', 'cli', 'setup-topics.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...serviceEnv('topic-setup'), KAFKA_BROKERS: brokers[0], KAFKA_PARTITIONS: '1', KAFKA_TOPIC_PREFIX: '' },
      encoding: 'utf8',
    });
    expect(`${setup.stdout}${setup.stderr}`).toMatch(/ACLs granted: [1-9]/);
  }, 240_000);

  afterAll(async () => {
    if (broker?.pid && broker.exitCode === null) {
      process.kill(-broker.pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 3000));
      try {
        process.kill(-broker.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(DIR, { recursive: true, force: true });
  });

  it('refuses clients without the credentials .env holds', async () => {
    expect(await send({}, Topics.WebhooksInbound)).not.toBe('ok');
    expect(await send({ ...serviceEnv('webhook-gateway'), KAFKA_SASL_PASSWORD: secrets.KAFKA_PASSWORD_KYC_RESULTS }, Topics.WebhooksInbound)).not.toBe('ok');
  });

  it('lets each service, configured by the overlay, write what it owns and nothing else', async () => {
    expect(await send(serviceEnv('webhook-gateway'), Topics.WebhooksInbound)).toBe('ok');
    expect(await send(serviceEnv('webhook-gateway'), Topics.KycVerifications)).toMatch(DENIED);
    expect(await send(serviceEnv('kyc-results'), Topics.KycVerifications)).toBe('ok');
    // kyc-results' reconciler writes the transitions it reads from the providers' APIs; no other service may.
    expect(await send(serviceEnv('kyc-results'), Topics.WebhooksInbound)).toBe('ok');
    expect(await send(serviceEnv('aml-trigger'), Topics.WebhooksInbound)).toMatch(DENIED);
    expect(await send(serviceEnv('aml-trigger'), Topics.AmlScreenings)).toBe('ok');
    expect(await send(serviceEnv('retention'), Topics.RetentionCommands)).toBe('ok');
    expect(await send(serviceEnv('audit-log'), Topics.RetentionCommands)).toMatch(DENIED);
  });

  it('lets the console read the alerts and the groups\' offsets, and write nothing', async () => {
    const consoleEnv = serviceEnv('console');
    expect(await send(consoleEnv, Topics.ComplianceAlerts)).toMatch(DENIED);
    // An alert raised by aml-trigger reaches the console's live-feed consumer (a group named after it).
    expect(await send(serviceEnv('aml-trigger'), Topics.ComplianceAlerts)).toBe('ok');
    const consumer = clientOf(consoleEnv).consumer({ groupId: `console-live-${process.pid}`, maxWaitTimeInMs: 100 });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: Topics.ComplianceAlerts, fromBeginning: true });
      const seen = new Promise<number>((resolve) => void consumer.run({ eachMessage: async () => resolve(1) }));
      expect(await Promise.race([seen, new Promise((r) => setTimeout(() => r('timeout'), 30_000))])).toBe(1);
    } finally {
      await consumer.disconnect();
    }
    // The lag page: the suite's groups and their topics' offsets.
    const admin = clientOf(consoleEnv).admin();
    try {
      await admin.connect();
      await expect(admin.describeGroups(['kyc-results', 'aml-trigger-retry'])).resolves.toMatchObject({ groups: expect.any(Array) });
      await expect(admin.fetchOffsets({ groupId: 'kyc-results', topics: [Topics.WebhooksInbound] })).resolves.toEqual(expect.any(Array));
      await expect(admin.fetchTopicOffsets(Topics.WebhooksInbound)).resolves.toEqual(expect.any(Array));
    } finally {
      await admin.disconnect();
    }
  });
});
