import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EventProducer } from '@compliance/messaging';
import type { EncodedRecord } from '@compliance/contracts';

export type PublishOutcome = 'sent' | 'failed' | 'timeout';

export interface PublishTicket {
  /** Settles when Kafka acknowledged the record (acks=all) or the send failed. */
  readonly done: Promise<void>;
  /** Waits at most `ms`; on 'timeout' the send carries on. */
  within(ms: number): Promise<PublishOutcome>;
  /** Takes back a record that has not been handed to Kafka yet; false once it has. */
  withdraw(): boolean;
}

interface Queued {
  topic: string;
  record: EncodedRecord;
  bytes: number;
  state: 'queued' | 'sending' | 'withdrawn';
  settle(err?: Error): void;
}

// A batch stays under the broker's default 1 MiB message.max.bytes per partition.
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 900 * 1024;

/**
 * Group commit in front of the suite producer: the producer allows one request in flight (so retries
 * cannot reorder), so records that arrive while a send is in flight go together in the next one.
 * Order of calls = order on each partition.
 */
@Injectable()
export class InboundPublisher implements OnModuleDestroy {
  private readonly queue: Queued[] = [];
  private pumping = false;
  private readonly waitingForIdle: Array<() => void> = [];

  constructor(private readonly producer: EventProducer) {}

  publish(topic: string, record: EncodedRecord): PublishTicket {
    let settle!: (err?: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    done.catch(() => undefined); // a caller that gave up must not cause an unhandled rejection
    const item: Queued = { topic, record, bytes: record.value.length + 512, state: 'queued', settle };
    this.queue.push(item);
    this.kick();
    return {
      done,
      within: (ms) => within(done, ms),
      withdraw: () => {
        if (item.state !== 'queued') return false;
        item.state = 'withdrawn';
        item.settle(new Error('withdrawn before it was sent'));
        return true;
      },
    };
  }

  /** Shutdown: what is queued goes out before the runtime disconnects the producer. */
  onModuleDestroy(): Promise<void> {
    return this.idle();
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.pumping) return Promise.resolve();
    return new Promise((resolve) => this.waitingForIdle.push(resolve));
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      // Requests arriving in the same turn of the event loop share the first send.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length) await this.sendNext();
    } finally {
      this.pumping = false;
      if (this.queue.length) this.kick();
      else this.waitingForIdle.splice(0).forEach((resolve) => resolve());
    }
  }

  private async sendNext(): Promise<void> {
    const batch: Queued[] = [];
    let bytes = 0;
    while (this.queue.length && batch.length < MAX_BATCH_RECORDS) {
      const next = this.queue[0];
      if (next.state === 'withdrawn') {
        this.queue.shift();
        continue;
      }
      if (batch.length && bytes + next.bytes > MAX_BATCH_BYTES) break;
      this.queue.shift();
      next.state = 'sending';
      batch.push(next);
      bytes += next.bytes;
    }
    if (batch.length === 0) return;
    try {
      await this.producer.publish(byTopic(batch));
      for (const item of batch) item.settle();
    } catch (err) {
      for (const item of batch) item.settle(err as Error);
    }
  }
}

function byTopic(batch: Queued[]): Array<{ topic: string; records: EncodedRecord[] }> {
  const topics = new Map<string, EncodedRecord[]>();
  for (const item of batch) {
    const records = topics.get(item.topic);
    if (records) records.push(item.record);
    else topics.set(item.topic, [item.record]);
  }
  return [...topics].map(([topic, records]) => ({ topic, records }));
}

function within(done: Promise<void>, ms: number): Promise<PublishOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    done.then(
      () => resolve('sent'),
      () => resolve('failed'),
    );
    done.finally(() => clearTimeout(timer)).catch(() => undefined);
  });
}
