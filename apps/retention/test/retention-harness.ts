import { randomUUID } from 'node:crypto';
import {
  encodeEvent,
  EventSources,
  EventTypes,
  kycEventType,
  newEvent,
  Topics,
  type DomainEvent,
  type KycStatus,
} from '@compliance/contracts';
import { EventProducer, TopicNamespace } from '@compliance/messaging';
import { loadConfig, type ServiceApp } from '@compliance/platform';
import { waitFor } from '@compliance/testing';
import { AppModule } from '../src/app.module';
import { ManualClock } from '../src/clock/clock';
import { RetentionConfig } from '../src/retention.config';
import { RetentionSweep } from '../src/sweep/retention-sweep.service';
import { baseTestEnv, startTestApp, TEST_API_KEYS } from '@compliance/platform/testing';
import { createTestTopics, testKafka, testNamespace, TopicReader } from '@compliance/messaging/testing';
import { testDatabaseUrl } from '@compliance/persistence/testing';

export interface ApiAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The retention service on a real broker and database, with a clock the test moves. */
export class RetentionHarness {
  private constructor(
    readonly service: ServiceApp,
    readonly clock: ManualClock,
    readonly namespace: string,
    readonly databaseUrl: string,
    readonly reader: TopicReader,
    private readonly producer: EventProducer,
  ) {}

  static async start(label: string, env: Record<string, string> = {}): Promise<RetentionHarness> {
    const namespace = testNamespace(label);
    await createTestTopics(namespace);
    const databaseUrl = await testDatabaseUrl(label);
    const config = loadConfig(RetentionConfig, 'retention', { ...baseTestEnv(namespace, databaseUrl), RETENTION_SWEEP_INTERVAL_MS: '150', ...env });
    const clock = new ManualClock(new Date());
    const reader = await new TopicReader(namespace, [Topics.RetentionCommands, Topics.RetentionEvents, Topics.ComplianceAlerts]).start();
    const service = await startTestApp(AppModule.register(config, { clock }), 'retention');
    const producer = new EventProducer(testKafka('retention-test'), new TopicNamespace(namespace));
    return new RetentionHarness(service, clock, namespace, databaseUrl, reader, producer);
  }

  async api(method: string, path: string, opts: { as?: keyof typeof TEST_API_KEYS | null; body?: unknown } = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.as !== null) headers.authorization = `Bearer ${TEST_API_KEYS[opts.as ?? 'admin']}`;
    const res = await fetch(`${this.service.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Publishes as the owning service would (retention consumes it like any other event). */
  async publish(topic: string, key: string, event: DomainEvent): Promise<void> {
    await this.producer.send(topic, [encodeEvent(event, key)]);
  }

  /** Resolves after `n` more sweeps have completed (a sweep started earlier does not count). */
  async sweeps(n = 2): Promise<void> {
    const sweep = this.service.app.get(RetentionSweep);
    const target = sweep.completed + n + 1;
    await waitFor(() => sweep.completed >= target, { what: `${n} more sweeps`, timeoutMs: 15_000 });
  }

  commands(type: string): DomainEvent[] {
    return this.reader.events(Topics.RetentionCommands).filter((e) => e.type === type);
  }

  events(type: string): DomainEvent[] {
    return this.reader.events(Topics.RetentionEvents).filter((e) => e.type === type);
  }

  /** In parallel: each Kafka consumer's disconnect waits out its fetch long-poll (seconds). */
  async close(): Promise<void> {
    await Promise.all([this.service.close(), this.reader.stop(), this.producer.disconnect()]);
  }

  /** A verification status change as kyc-results publishes it. */
  async verification(sessionId: string, subjectRef: string | undefined, status: KycStatus, occurredAt: Date): Promise<void> {
    await this.publishAll([verificationRecord(sessionId, subjectRef, status, occurredAt)]);
  }

  /** A completed screening as aml-trigger publishes it (sessionId absent for an ad hoc screening). */
  async screening(subjectRef: string, sessionId: string | undefined, completedAt: Date): Promise<void> {
    await this.publishAll([screeningRecord('completed', subjectRef, sessionId, completedAt)]);
  }

  /** Publishes records with one send per topic, so the consumer's next fetch brings them together. */
  async publishAll(records: PublishedRecord[]): Promise<void> {
    for (const topic of new Set(records.map((r) => r.topic))) {
      await this.producer.send(topic, records.filter((r) => r.topic === topic).map((r) => encodeEvent(r.event, r.key)));
    }
  }

  /** A data-holding service's confirmation of an erasure. */
  async confirmErasure(requestId: string, subjectRef: string, service: string, counts: Record<string, number> = { rows: 1 }): Promise<void> {
    const data = { requestId, service, subjectRef, counts, completedAt: new Date().toISOString() };
    await this.publish(Topics.RetentionEvents, subjectRef, newEvent({ type: EventTypes.RetentionErasureCompleted, source: `urn:compliance:${service}`, subject: subjectRef, data }));
  }
}

export interface PublishedRecord {
  topic: string;
  key: string;
  event: DomainEvent;
}

/** `kyc.verification.<status>` as kyc-results publishes it, keyed by session. */
export function verificationRecord(sessionId: string, subjectRef: string | undefined, status: KycStatus, occurredAt: Date): PublishedRecord {
  const data = { sessionId, subjectRef, provider: 'didit', status, occurredAt: occurredAt.toISOString(), change: 'transition' };
  return { topic: Topics.KycVerifications, key: sessionId, event: newEvent({ type: kycEventType(status), source: EventSources.KycResults, subject: sessionId, data }) };
}

/**
 * `aml.screening.<stage>` as aml-trigger publishes it, keyed by session (by subject for an ad hoc
 * screening); `at` is its requestedAt, completedAt or failedAt.
 */
export function screeningRecord(stage: 'requested' | 'completed' | 'failed', subjectRef: string, sessionId: string | undefined, at: Date, screeningId: string = randomUUID()): PublishedRecord {
  const base = { screeningId, subjectRef, sessionId, provider: 'builtin', trigger: sessionId ? 'approval' : 'adhoc' };
  const data =
    stage === 'requested'
      ? { ...base, requestedAt: at.toISOString() }
      : stage === 'failed'
        ? { ...base, reason: 'list unavailable', attempts: 3, failedAt: at.toISOString() }
        : { ...base, outcome: 'clear', score: 0, hits: [], listVersions: [], algorithm: { name: 'builtin', version: '1' }, completedAt: at.toISOString() };
  const type = { requested: EventTypes.AmlScreeningRequested, completed: EventTypes.AmlScreeningCompleted, failed: EventTypes.AmlScreeningFailed }[stage];
  const key = sessionId ?? subjectRef;
  return { topic: Topics.AmlScreenings, key, event: newEvent({ type, source: EventSources.AmlTrigger, subject: key, data }) };
}
