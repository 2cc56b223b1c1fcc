import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, type Consumer, type KafkaMessage } from 'kafkajs';
import { decodeEvent, EventTypes, SEALED_PREFIX, Topics, type AuditCheckpointData } from '@compliance/contracts';
import { TopicNamespace } from '@compliance/messaging';
import { ReadinessRegistry } from '@compliance/observability';
import { QUEUE_KINDS, type LiveAlert, type LiveStatus } from '../alerts/alert.types';
import { AlertHub } from './alert-hub';
import { KafkaAdmin } from './kafka-admin';

/** A signed checkpoint of the audit chain as published on audit.checkpoints.v1. */
export type Checkpoint = Pick<AuditCheckpointData, 'sequence' | 'hash' | 'signedAt' | 'keyId'>;

const clear = (v: unknown): string | undefined => (typeof v === 'string' && !v.startsWith(SEALED_PREFIX) ? v : undefined);

/**
 * Reads compliance.alerts.v1 from its latest offset, in a consumer group of this process alone (every
 * console process sees every alert; nothing is committed), and passes each raised or decided alert
 * to the browsers: ids, kind, severity and times, never the summary or details, which may carry
 * personal data (sealed or not). It also keeps the last signed checkpoint of audit.checkpoints.v1.
 */
@Injectable()
export class LiveFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveFeed.name);
  private consumer?: Consumer;
  private joined = false;
  private stopped = false;
  private checkpoint?: Checkpoint;
  private readonly alertsTopic: string;
  private readonly checkpointsTopic: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly ns: TopicNamespace,
    private readonly hub: AlertHub,
    private readonly admin: KafkaAdmin,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.alertsTopic = ns.physical(Topics.ComplianceAlerts);
    this.checkpointsTopic = ns.physical(Topics.AuditCheckpoints);
  }

  get lastCheckpoint(): Checkpoint | undefined {
    return this.checkpoint;
  }

  get running(): boolean {
    return this.joined;
  }

  onApplicationBootstrap(): void {
    this.readiness.add('live-feed', async () => ({ up: this.joined, details: { topic: this.alertsTopic, streams: this.hub.size } }));
    void this.startWithRetry();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Pages work without Kafka; the feed keeps trying and readiness says whether it runs. */
  private async startWithRetry(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.start();
        return;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'live alert feed could not start; retrying');
        await this.consumer?.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 2000).unref());
      }
    }
  }

  private async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.ns.physical(`console-live-${randomUUID()}`), maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 3000 });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joined = true;
      void this.seekLastCheckpoint(consumer, e.payload.memberAssignment[this.checkpointsTopic] ?? []);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.joined = false;
      this.logger.warn({ err: e.payload.error?.message, restart: e.payload.restart }, 'live alert feed crashed');
      if (!e.payload.restart && !this.stopped) void this.startWithRetry();
    });
    consumer.on(consumer.events.STOP, () => (this.joined = false));
    await consumer.connect();
    await consumer.subscribe({ topics: [this.alertsTopic, this.checkpointsTopic], fromBeginning: false });
    await consumer.run({ autoCommit: false, eachMessage: async ({ topic, message }) => this.receive(topic, message) });
  }

  /** The checkpoints topic is read from its last record, so the page shows the latest one at once. */
  private async seekLastCheckpoint(consumer: Consumer, partitions: number[]): Promise<void> {
    try {
      const offsets = await this.admin.topicOffsets(this.checkpointsTopic);
      for (const o of offsets) {
        if (partitions.includes(o.partition) && BigInt(o.high) > BigInt(o.low)) consumer.seek({ topic: this.checkpointsTopic, partition: o.partition, offset: String(BigInt(o.high) - 1n) });
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'the last signed checkpoint could not be looked up');
    }
  }

  private receive(topic: string, message: KafkaMessage): void {
    let event;
    try {
      event = decodeEvent({ key: message.key, value: message.value, headers: message.headers });
    } catch {
      return;
    }
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (topic === this.checkpointsTopic) {
      if (event.type !== EventTypes.AuditCheckpoint || typeof data.sequence !== 'number') return;
      if (!this.checkpoint || data.sequence >= this.checkpoint.sequence) {
        this.checkpoint = { sequence: data.sequence, hash: String(data.hash), signedAt: String(data.signedAt), keyId: String(data.keyId) };
      }
      return;
    }
    if (event.type === EventTypes.ComplianceAlertRaised && (QUEUE_KINDS as readonly unknown[]).includes(data.kind)) {
      const alert: LiveAlert = {
        alertId: String(data.alertId),
        kind: String(data.kind),
        severity: String(data.severity),
        subjectRef: clear(data.subjectRef),
        sessionId: clear(data.sessionId),
        raisedAt: clear(data.raisedAt) ?? event.time ?? new Date().toISOString(),
      };
      this.hub.publish('alert', alert);
    } else if (event.type === EventTypes.ComplianceAlertResolved) {
      this.hub.publish('alert-status', { alertId: String(data.alertId), status: String(data.resolution) } satisfies LiveStatus);
    } else if (event.type === EventTypes.ComplianceAlertReviewProposed) {
      this.hub.publish('alert-status', { alertId: String(data.alertId), status: 'false_positive_proposed' } satisfies LiveStatus);
    }
  }
}
