import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEvent, EventSources, EventTypes, newEvent, Topics, allTopics } from '@compliance/contracts';
import { applyServiceAcls, createKafka, ensureTopics, TopicNamespace, type KafkaSasl } from '@compliance/messaging';
// The broker launcher is a tool, not a library.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ensureBroker, type BrokerHandle } from '../tools/kafka/broker';

/**
 * A broker as `tsx tools/kafka/broker.ts start --sasl` starts it: SASL/SCRAM-SHA-512 and ACLs. Without
 * credentials nothing connects; with a service's credentials, only the topics it owns by the
 * contract take its records.
 */
const PORT = 19_392 + (process.pid % 50) * 2;
const DATA_DIR = join(__dirname, '..', '.cache', 'kafka', `run-sasl-spec-${PORT}`);
const password = () => randomBytes(18).toString('base64url');
const ADMIN = { username: 'admin', password: password() };
const USERS = { 'webhook-gateway': password(), 'kyc-results': password(), retention: password() };

/** How the broker refuses an operation a principal has no ACL for (metadata or produce). */
const DENIED = /TOPIC_AUTHORIZATION_FAILED|not authorized/i;

describe('Kafka with SASL/SCRAM and ACLs (a real broker)', () => {
  let broker: BrokerHandle;
  const ns = new TopicNamespace('');
  const client = (sasl?: KafkaSasl) => createKafka({ brokers: [`127.0.0.1:${PORT}`], clientId: 'sasl-spec', sasl });
  const as = (user: keyof typeof USERS) => client({ mechanism: 'scram-sha-512', username: user, password: USERS[user] });
  const record = () => encodeEvent(newEvent({ type: EventTypes.WebhookReceived, source: EventSources.WebhookGateway, data: { n: 1 } }), 'k');
  async function send(kafka: ReturnType<typeof client>, topic: string): Promise<string> {
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    try {
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [record()] });
      return 'ok';
    } catch (err) {
      const e = err as Error & { type?: string };
      return `${e.type ?? e.name}: ${e.message}`;
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  /** Whether the principal may read the topic with a group named after its service (what the broker says). */
  async function readFrom(kafka: ReturnType<typeof client>, service: string, topic: string): Promise<string> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.fetchOffsets({ groupId: `${service}-probe`, topics: [topic] });
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  beforeAll(async () => {
    rmSync(DATA_DIR, { recursive: true, force: true });
    // A broker of its own, not the run's (which KAFKA_BROKERS names).
    const given = process.env.KAFKA_BROKERS;
    delete process.env.KAFKA_BROKERS;
    try {
      broker = await ensureBroker({ port: PORT, dataDir: DATA_DIR, sasl: { admin: ADMIN, users: USERS } });
    } finally {
      if (given !== undefined) process.env.KAFKA_BROKERS = given;
    }
    expect(broker.started).toBe(true);
    const admin = client({ mechanism: 'scram-sha-512', ...ADMIN });
    await ensureTopics(admin, ns, allTopics(), { partitions: 1 });
    await applyServiceAcls(admin, ns, Object.keys(USERS).map((service) => ({ service, username: service })));
  }, 180_000);

  afterAll(async () => {
    await broker?.stop();
    rmSync(DATA_DIR, { recursive: true, force: true });
  });

  it('refuses a client without credentials, and one with a wrong password', async () => {
    expect(await send(client(), Topics.WebhooksInbound)).not.toBe('ok');
    expect(await send(client({ mechanism: 'scram-sha-512', username: 'webhook-gateway', password: 'not-the-password' }), Topics.WebhooksInbound)).not.toBe('ok');
  });

  it('lets a service write the topics it owns and no other', async () => {
    expect(await send(as('webhook-gateway'), Topics.WebhooksInbound)).toBe('ok');
    expect(await send(as('webhook-gateway'), 'webhook-gateway.dlq')).toBe('ok');
    // kyc-results' reconciler puts the transitions it reads from the providers' APIs there too.
    expect(await send(as('kyc-results'), Topics.WebhooksInbound)).toBe('ok');
    // Skipping the HMAC by producing webhook.received directly, or faking another service's results:
    expect(await send(as('retention'), Topics.WebhooksInbound)).toMatch(DENIED);
    expect(await send(as('webhook-gateway'), Topics.KycVerifications)).toMatch(DENIED);
    expect(await send(as('webhook-gateway'), Topics.RetentionCommands)).toMatch(DENIED);
    expect(await send(as('webhook-gateway'), 'kyc-results.retry')).toMatch(DENIED);
    // Reading is narrowed too: the gateway may not read the verification results back.
    expect(await readFrom(as('webhook-gateway'), 'webhook-gateway', Topics.KycVerifications)).toMatch(/not authorized/i);
    expect(await readFrom(as('kyc-results'), 'kyc-results', Topics.WebhooksInbound)).toBe('ok');
    // Every data-holding service confirms erasures on retention.events.v1.
    expect(await send(as('kyc-results'), Topics.RetentionEvents)).toBe('ok');
    expect(await send(as('retention'), Topics.RetentionCommands)).toBe('ok');
  });
});
