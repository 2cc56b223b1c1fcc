import { DataSource } from 'typeorm';
import {
  fingerprintOf,
  webhookEventId,
  ConsumerGroups,
  dlqTopicOf,
  encodeEvent,
  EventSources,
  isKycEventType,
  EventTypes,
  newEvent,
  newTraceparent,
  retryTopicOf,
  Topics,
  type DomainEvent,
  type WebhookReceivedData,
} from '@compliance/contracts';
import { EventProducer, TopicNamespace } from '@compliance/messaging';
import { loadConfig } from '@compliance/platform';
import { waitFor } from '@compliance/testing';
import { AppModule } from '../src/app.module';
import { KycResultsConfig } from '../src/kyc-results.config';
import { baseTestEnv, startTestApp } from '@compliance/platform/testing';
import { createTestTopics, testKafka, testNamespace, TopicReader } from '@compliance/messaging/testing';
import { testDatabaseUrl } from '@compliance/persistence/testing';

/** A fixed test key (32 bytes); tests that prove encryption use another key to fail decrypting. */
export const TEST_PII_KEY = Buffer.alloc(32, 0x5a).toString('base64');

/**
 * What the webhook gateway publishes for a verified webhook: the id is the contract's deterministic
 * one (`webhookEventId` of the source and the content fingerprint, libs/contracts).
 */
export function gatewayEvent(payload: Record<string, unknown>, opts: { source?: string; id?: string; traceparent?: string } = {}): DomainEvent<WebhookReceivedData> {
  const source = opts.source ?? 'didit';
  const deliveryId = payload.event_id;
  const fingerprint = fingerprintOf(payload);
  const sessionId = typeof payload.session_id === 'string' ? payload.session_id : undefined;
  const event = newEvent<WebhookReceivedData>({
    type: EventTypes.WebhookReceived,
    source: EventSources.WebhookGateway,
    subject: sessionId ?? String(payload.vendor_data ?? deliveryId),
    id: opts.id ?? webhookEventId(source, fingerprint),
    data: { source, scheme: 'didit', receivedAt: new Date().toISOString(), deliveryId: String(deliveryId ?? 'none'), fingerprint, sessionId, payload },
  });
  return { ...event, traceparent: opts.traceparent ?? newTraceparent() };
}

export interface KycHarness {
  url: string;
  dbUrl: string;
  namespace: string;
  reader: TopicReader;
  dataSource: DataSource;
  /** A provider of the running app (for tests that drive a service directly, concurrently). */
  get<T>(token: new (...args: any[]) => T): T;
  /** Publishes webhook.received records as the gateway would (keyed by session). */
  deliver(...events: Array<DomainEvent<WebhookReceivedData>>): Promise<void>;
  publish(topic: string, key: string, ...events: DomainEvent[]): Promise<void>;
  api(path: string, key?: string): Promise<{ status: number; body: any }>;
  query<T = Record<string, any>>(text: string, params?: unknown[]): Promise<T[]>;
  /** kyc.verification.* events on the topic for one session. */
  verificationEvents(sessionId: string): DomainEvent<any>[];
  /** Waits for at least `n` kyc.verification.* events of the session on the topic. */
  waitForEvents(sessionId: string, n: number): Promise<DomainEvent<any>[]>;
  /** Waits until the session has recorded `n` reports in history. */
  historyCount(sessionId: string, n: number): Promise<void>;
  stop(): Promise<void>;
}

/** `after`: start on the topics and database of an earlier (stopped) harness, as a restart would. */
export async function startKycResults(label: string, opts: { piiKey?: string; after?: KycHarness; env?: Record<string, string> } = {}): Promise<KycHarness> {
  const namespace = opts.after?.namespace ?? testNamespace(label);
  if (!opts.after) await createTestTopics(namespace);
  const dbUrl = opts.after?.dbUrl ?? (await testDatabaseUrl(label));
  const config = loadConfig(KycResultsConfig, 'kyc-results', { ...baseTestEnv(namespace, dbUrl), PII_ENCRYPTION_KEY: opts.piiKey ?? TEST_PII_KEY, ...opts.env });
  const app = await startTestApp(AppModule.register(config));
  const producer = new EventProducer(testKafka('gateway-stand-in'), new TopicNamespace(namespace));
  const reader = await new TopicReader(namespace, [
    Topics.KycVerifications,
    Topics.RetentionEvents,
    dlqTopicOf(ConsumerGroups.KycResults),
    retryTopicOf(ConsumerGroups.KycResults),
  ]).start();
  const harness: KycHarness = {
    url: app.url,
    dbUrl,
    namespace,
    reader,
    dataSource: app.app.get(DataSource),
    get: (token) => app.app.get(token),
    deliver: (...events) => producer.send(Topics.WebhooksInbound, events.map((e) => encodeEvent(e, e.data.sessionId ?? e.subject ?? e.id))),
    publish: (topic, key, ...events) => producer.send(topic, events.map((e) => encodeEvent(e, key))),
    async api(path, key) {
      const res = await fetch(`${app.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      const text = await res.text();
      return { status: res.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
    },
    query: (text, params) => app.app.get(DataSource).query(text, params),
    verificationEvents: (sessionId) => reader.events(Topics.KycVerifications).filter((e) => isKycEventType(e.type) && e.subject === sessionId),
    async waitForEvents(sessionId, n) {
      return waitFor(
        () => {
          const events = harness.verificationEvents(sessionId);
          return events.length >= n ? events : undefined;
        },
        { what: `${n} kyc.verification events for ${sessionId}` },
      );
    },
    async historyCount(sessionId, n) {
      await waitFor(
        async () => (await harness.query('SELECT count(*)::int AS n FROM verification_status_history WHERE session_id = $1', [sessionId]))[0].n >= n,
        { what: `${n} history entries for ${sessionId}` },
      );
    },
    async stop() {
      await reader.stop();
      await producer.disconnect();
      await app.close();
    },
  };
  return harness;
}
