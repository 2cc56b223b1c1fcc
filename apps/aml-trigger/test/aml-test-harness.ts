import { randomBytes, randomUUID } from 'node:crypto';
import {
  encodeEvent,
  EventSources,
  kycEventType,
  newEvent,
  Topics,
  type DomainEvent,
  type KycVerificationData,
} from '@compliance/contracts';
import { EventProducer, TopicNamespace } from '@compliance/messaging';
import { loadConfig, type ServiceApp } from '@compliance/platform';
import { waitFor } from '@compliance/testing';
import { AmlTriggerConfig } from '../src/aml-trigger.config';
import { AppModule } from '../src/app.module';
import { baseTestEnv, startTestApp } from '@compliance/platform/testing';
import { createTestTopics, testKafka, testNamespace, TopicReader } from '@compliance/messaging/testing';
import { testDatabaseUrl } from '@compliance/persistence/testing';

export const PII_KEY = randomBytes(32).toString('base64');

/** One aml-trigger on a real HTTP port, its own topics and database, and a reader of what it publishes. */
export class AmlHarness {
  app!: ServiceApp;
  reader!: TopicReader;
  databaseUrl!: string;
  private producer!: EventProducer;
  readonly namespace: string;

  constructor(label: string) {
    this.namespace = testNamespace(label);
  }

  async start(env: Record<string, string> = {}): Promise<this> {
    await createTestTopics(this.namespace);
    this.databaseUrl = await testDatabaseUrl(this.namespace);
    this.reader = await new TopicReader(this.namespace, [Topics.AmlScreenings, Topics.ComplianceAlerts, Topics.RetentionEvents]).start();
    this.producer = new EventProducer(testKafka('aml-test-producer'), new TopicNamespace(this.namespace));
    this.app = await this.startApp(env);
    return this;
  }

  /** Stops the service and starts it again on the same topics and database, as a redeploy would. */
  async restart(env: Record<string, string> = {}): Promise<void> {
    await this.app.close();
    this.app = await this.startApp(env);
  }

  private startApp(env: Record<string, string>): Promise<ServiceApp> {
    const config = loadConfig(AmlTriggerConfig, 'aml-trigger', { ...baseTestEnv(this.namespace, this.databaseUrl), PII_ENCRYPTION_KEY: PII_KEY, ...env });
    return startTestApp(AppModule.register(config));
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.reader?.stop();
    await this.producer?.disconnect();
  }

  /** Publishes as kyc-results does: on kyc.verifications.v1, keyed by session. */
  async publishKyc(event: DomainEvent<KycVerificationData>): Promise<void> {
    await this.producer.send(Topics.KycVerifications, [encodeEvent(event, event.data.sessionId)]);
  }

  async publish(topic: string, event: DomainEvent, key: string): Promise<void> {
    await this.producer.send(topic, [encodeEvent(event, key)]);
  }

  events(topic: string, type?: string, filter: (data: Record<string, unknown>) => boolean = () => true): DomainEvent<Record<string, unknown>>[] {
    return this.reader.events(topic).filter((e) => (!type || e.type === type) && filter(e.data as Record<string, unknown>)) as DomainEvent<Record<string, unknown>>[];
  }

  /** Waits until at least `count` matching events arrived, and returns them. */
  async waitForEvents(topic: string, type: string, filter: (data: Record<string, unknown>) => boolean, count = 1, timeoutMs = 20_000) {
    await waitFor(() => this.events(topic, type, filter).length >= count, { what: `${count} × ${type}`, timeoutMs });
    return this.events(topic, type, filter);
  }

  http(path: string, init: { method?: string; key?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (init.key) headers.authorization = `Bearer ${init.key}`;
    return fetch(`${this.app.url}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }).then(
      async (res) => ({ status: res.status, body: await res.json().catch(() => undefined) }),
    );
  }
}

export interface ApprovalInit {
  sessionId?: string;
  subjectRef?: string;
  identity?: KycVerificationData['identity'];
  change?: 'transition' | 'data_updated';
  providerAml?: { status?: string; totalHits?: number; score?: number };
  occurredAt?: string;
}

/** A `kyc.verification.approved` event exactly as kyc-results publishes it. */
export function approvedEvent(init: ApprovalInit = {}): DomainEvent<KycVerificationData> {
  const sessionId = init.sessionId ?? randomUUID();
  const data: KycVerificationData = {
    sessionId,
    subjectRef: init.subjectRef ?? `customer-${randomBytes(3).toString('hex')}`,
    provider: 'didit',
    status: 'approved',
    previousStatus: init.change === 'data_updated' ? 'approved' : 'in_review',
    occurredAt: init.occurredAt ?? new Date().toISOString(),
    change: init.change ?? 'transition',
    identity: init.identity,
    decision: { documentType: 'Passport', ...(init.providerAml ? { providerAml: init.providerAml } : {}) },
    terminal: true,
  };
  return newEvent({ type: kycEventType('approved'), source: EventSources.KycResults, subject: sessionId, data });
}

/** On the sample list (OpenSanctions fict-0001 and OFAC 10001), with the listed passport number. */
export const LISTED_PERSON = { fullName: 'Viktor Kovalenko-Drask', dateOfBirth: '1968-04-12', nationality: 'UA', documentNumber: 'ZX4471902' };
/** Nobody like her is on the sample list. */
export const UNLISTED_PERSON = { fullName: 'Maria Fernanda Oliveira', dateOfBirth: '1990-02-03', nationality: 'BR', documentNumber: 'BR1234567' };
