import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { allTopics, decodeEvent, type DomainEvent } from '@compliance/contracts';
import { testRunId } from '@compliance/testing';
import { createKafka, parseBrokers, TopicNamespace } from '../kafka';
import { ensureTopics } from '../topic-admin';

export function testBrokers(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run tests through jest (global setup provides it)');
  return brokers;
}

/**
 * A unique topic/group namespace per test file, so files running in parallel never see each other;
 * it carries the run's id, so the run's clean-up deletes its topics and no other run's.
 */
export function testNamespace(label = 't'): string {
  return `${label.replace(/[^a-z0-9]/gi, '').slice(0, 12)}-${testRunId()}${randomBytes(4).toString('hex')}.`;
}

export function testKafka(clientId = 'test', brokers = testBrokers()): Kafka {
  return createKafka({ brokers: parseBrokers(brokers), clientId });
}

/** Creates the catalogue (and the given groups' retry/DLQ topics) inside a namespace. */
export async function createTestTopics(namespace: string, extraTopics: string[] = [], partitions = 3): Promise<void> {
  await ensureTopics(testKafka('test-admin'), new TopicNamespace(namespace), [...allTopics(), ...extraTopics], { partitions });
}

export interface CollectedRecord {
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  headers: Record<string, string>;
  value: string | null;
  /** The record's Kafka timestamp (producer create time), ms since the epoch. */
  timestamp?: number;
  event?: DomainEvent;
}

/**
 * Reads topics from the beginning into memory as a plain Kafka client would; events are decoded
 * when they are CloudEvents. Stop it when done.
 */
export class TopicReader {
  readonly records: CollectedRecord[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly namespace: string,
    private readonly topics: string[],
    /** Defaults to the test run's broker. */
    private readonly brokers?: string,
  ) {}

  async start(): Promise<this> {
    const ns = new TopicNamespace(this.namespace);
    this.consumer = testKafka('topic-reader', this.brokers).consumer({ groupId: `reader-${randomBytes(6).toString('hex')}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics.map((t) => ns.physical(t)), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.records.push(toCollected(ns.logical(topic), partition, message));
      },
    });
    return this;
  }

  events(topic?: string): DomainEvent[] {
    return this.records.filter((r) => r.event && (!topic || r.topic === topic)).map((r) => r.event as DomainEvent);
  }

  on(topic: string): CollectedRecord[] {
    return this.records.filter((r) => r.topic === topic);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function toCollected(topic: string, partition: number, message: KafkaMessage): CollectedRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
  let event: DomainEvent | undefined;
  try {
    event = decodeEvent({ key: message.key, value: message.value, headers: message.headers });
  } catch {
    event = undefined;
  }
  return { topic, partition, offset: message.offset, key: message.key?.toString(), headers, value: message.value?.toString() ?? null, timestamp: Number(message.timestamp), event };
}
