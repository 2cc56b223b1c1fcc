import { kafkajsSendFixInstalled } from './kafkajs-send-messages';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { EncodedRecord } from '@compliance/contracts';
import type { RecordPublisher } from './outbox';
import type { TopicNamespace } from './kafka';

/**
 * Where a kafkajs message keeps its record's own `traceparent` (a symbol: not sent as a header).
 * With OpenTelemetry on, the kafkajs instrumentation writes its send span over the header; its
 * producer hook (`@compliance/platform/tracing`) puts the event's own back from here.
 */
export const ENVELOPE_TRACEPARENT = Symbol.for('compliance.envelope.traceparent');

/**
 * The suite's producer: idempotent, acks=all, one in-flight request so retries cannot reorder.
 *
 * Two guards around the kafkajs idempotent producer, which otherwise loses records silently:
 * - One send at a time. When a produce request fails, kafkajs rolls the partition's sequence number
 *   back and retries after a pause; a concurrent send that takes the lock in that pause reuses the
 *   rolled-back number, and if the failed request had in fact been written (its answer lost to a
 *   broker restart), the broker takes the other send for a retry of it, acknowledges it and drops it.
 * - A new producer id after a send that failed. Its outcome is unknown; the caller sends those records
 *   again, but the next records must not reuse its sequence numbers, for the same reason.
 */
export class EventProducer implements RecordPublisher {
  private producer: Producer;
  private connected?: Promise<void>;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly ns: TopicNamespace,
  ) {
    // Without it a leader failover on a cluster can drop records kafkajs reports as sent.
    if (!kafkajsSendFixInstalled()) throw new Error('kafkajs loaded before @compliance/messaging: import the messaging library (or its kafkajs-send-messages module) first');
    this.producer = this.createProducer();
  }

  connect(): Promise<void> {
    const producer = this.producer;
    this.connected ??= producer.connect().catch((err) => {
      if (this.producer === producer) this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  async send(topic: string, records: EncodedRecord[]): Promise<void> {
    await this.publish([{ topic, records }]);
  }

  /** Sends the batches in one request once every earlier send has settled. */
  publish(batches: Array<{ topic: string; records: EncodedRecord[] }>): Promise<void> {
    const sent = this.tail.then(() => this.sendNow(batches));
    this.tail = sent.catch(() => undefined);
    return sent;
  }

  async disconnect(): Promise<void> {
    await this.tail;
    await this.producer.disconnect();
    this.connected = undefined;
  }

  private async sendNow(batches: Array<{ topic: string; records: EncodedRecord[] }>): Promise<void> {
    await this.connect();
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: batches.map((b) => ({
          topic: this.ns.physical(b.topic),
          messages: b.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, [ENVELOPE_TRACEPARENT]: r.headers.traceparent })),
        })),
      });
    } catch (err) {
      this.replaceProducer();
      throw err;
    }
  }

  private replaceProducer(): void {
    const failed = this.producer;
    this.producer = this.createProducer();
    this.connected = undefined;
    void failed.disconnect().catch(() => undefined);
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2, as the Java client: keys land on the same partitions whoever produces them.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3000 },
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.connected = undefined;
    });
    return producer;
  }
}
