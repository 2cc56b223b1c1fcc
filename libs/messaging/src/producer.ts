import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { EncodedRecord } from '@compliance/contracts';
import type { RecordPublisher } from '@compliance/persistence';
import type { TopicNamespace } from './kafka';

/** The suite's producer: idempotent, acks=all, one in-flight request so retries cannot reorder. */
export class EventProducer implements RecordPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly ns: TopicNamespace,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2, as the Java client: keys land on the same partitions whoever produces them.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3000 },
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connected = undefined;
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((err) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  async send(topic: string, records: EncodedRecord[]): Promise<void> {
    await this.publish([{ topic, records }]);
  }

  async publish(batches: Array<{ topic: string; records: EncodedRecord[] }>): Promise<void> {
    await this.connect();
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: batches.map((b) => ({
        topic: this.ns.physical(b.topic),
        messages: b.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = undefined;
  }
}
