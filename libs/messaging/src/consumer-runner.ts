import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeEvent, retryTopicOf, validateEvent, type DomainEvent, type RawRecord } from '@compliance/contracts';
import { wroteToOutbox } from '@compliance/persistence';
import type { EventProducer } from './producer';
import type { TopicNamespace } from './kafka';
import { isInfrastructureError } from './errors';
import { messagingMetrics as metrics } from './metrics';
import { DEFAULT_RETRY_POLICY, retryState, stringHeaders, type RetryPolicy } from './retry-headers';
import { DeadLetterRouter, type Prepared } from './dead-letter-router';

export interface ConsumedRecord {
  /** Logical topic the event was first published to (the retry topic is transparent). */
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  headers: Record<string, string>;
  value: string | null;
  /** Handler attempts so far (0 on first delivery). */
  attempt: number;
}

export interface HandlerContext {
  /** The transaction the inbox row is written in; the handler's effects belong in it. */
  manager: EntityManager;
  record: ConsumedRecord;
}

export type EventHandler = (event: DomainEvent, ctx: HandlerContext) => Promise<void>;

export interface ConsumerOptions {
  group: string;
  topics: string[];
  handler: EventHandler;
  dataSource: DataSource;
  retry?: Partial<RetryPolicy>;
  /** Events applied per transaction; a failing chunk is replayed one event per transaction. */
  chunkSize?: number;
  partitionsConsumedConcurrently?: number;
  /** Overrides decoding (for example to take dead letters of other services as facts). */
  decode?: (raw: RawRecord, topic: string) => DomainEvent;
  /** Called after each committed chunk; `wroteOutbox` when its transaction added events to the outbox (kick the relay). */
  onCommitted?: (chunk: { wroteOutbox: boolean }) => void;
  log?: (level: 'error' | 'warn' | 'info', message: string, extra?: Record<string, unknown>) => void;
}

function defaultDecode(raw: RawRecord): DomainEvent {
  const event = decodeEvent(raw);
  validateEvent(event);
  return event;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The consumer runtime every service uses: inbox dedupe in the handler's transaction, offsets
 * committed only after the effect, failures to `<group>.retry` with backoff and then to
 * `<group>.dlq`, undecodable or invalid records straight to the DLQ.
 */
export class ConsumerRunner {
  private readonly policy: RetryPolicy;
  private readonly main: Consumer;
  private readonly retry: Consumer;
  private readonly router: DeadLetterRouter;

  constructor(
    kafka: Kafka,
    private readonly ns: TopicNamespace,
    producer: EventProducer,
    private readonly opts: ConsumerOptions,
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    // A crashed member is noticed within 10 s, so its partitions move on quickly; handlers heartbeat per chunk.
    const common = { sessionTimeout: 10_000, heartbeatInterval: 1000, retry: { retries: 10, restartOnFailure: async () => true } };
    this.main = kafka.consumer({ groupId: ns.physical(opts.group), ...common });
    this.retry = kafka.consumer({ groupId: ns.physical(`${opts.group}-retry`), ...common });
    this.router = new DeadLetterRouter(producer, opts.group, this.policy);
  }

  get group(): string {
    return this.opts.group;
  }

  async start(): Promise<void> {
    await Promise.all([this.main.connect(), this.retry.connect()]);
    await this.main.subscribe({ topics: this.opts.topics.map((t) => this.ns.physical(t)), fromBeginning: true });
    await this.retry.subscribe({ topics: [this.ns.physical(retryTopicOf(this.opts.group))], fromBeginning: true });
    const concurrency = this.opts.partitionsConsumedConcurrently ?? 3;
    await this.main.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: concurrency,
      eachBatch: (p) => this.onBatch(this.main, p, this.opts.chunkSize ?? 50),
    });
    await this.retry.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: concurrency,
      eachBatch: (p) => this.onBatch(this.retry, p, 1),
    });
  }

  /** Stops fetching, lets the batch in flight finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.main.disconnect(), this.retry.disconnect()]);
  }

  private async onBatch(consumer: Consumer, p: EachBatchPayload, chunkSize: number): Promise<void> {
    const { batch } = p;
    const topic = this.ns.logical(batch.topic);
    const isRetryTopic = topic === retryTopicOf(this.opts.group);
    for (let i = 0; i < batch.messages.length; i += chunkSize) {
      if (!p.isRunning() || p.isStale()) return;
      const chunk = batch.messages.slice(i, i + chunkSize);
      if (isRetryTopic) await this.waitUntilDue(chunk[0], p);
      const wroteOutbox = await this.processChunk(topic, batch.partition, chunk);
      const last = chunk[chunk.length - 1].offset;
      p.resolveOffset(last);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      this.opts.onCommitted?.({ wroteOutbox });
      await p.heartbeat();
    }
    metrics.lag.set({ group: this.opts.group, topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  /** A retried record waits for its due time; heartbeats keep the group membership meanwhile. */
  private async waitUntilDue(message: KafkaMessage, p: EachBatchPayload): Promise<void> {
    const { dueAt } = retryState(stringHeaders(message.headers), '');
    while (p.isRunning() && !p.isStale() && Date.now() < dueAt) {
      await sleep(Math.min(1000, dueAt - Date.now()));
      await p.heartbeat();
    }
  }

  private prepare(topic: string, partition: number, message: KafkaMessage): Prepared {
    const headers = stringHeaders(message.headers);
    // Retry headers describe this group's own retries only: records read from another group's DLQ
    // carry that group's headers, which must neither hide the DLQ topic from `decode` nor count as attempts here.
    const state = topic === retryTopicOf(this.opts.group) ? retryState(headers, topic) : { originalTopic: topic, attempt: 0 };
    const record: ConsumedRecord = {
      topic: state.originalTopic,
      partition,
      offset: message.offset,
      key: message.key?.toString(),
      headers,
      value: message.value?.toString() ?? null,
      attempt: state.attempt,
    };
    try {
      const decode = this.opts.decode ?? defaultDecode;
      return { record, message, event: decode({ key: message.key, value: message.value, headers: message.headers }, record.topic) };
    } catch (err) {
      return { record, message, error: err as Error };
    }
  }

  /** Applies a chunk in one transaction; returns whether what committed added to the outbox. */
  private async processChunk(topic: string, partition: number, messages: KafkaMessage[]): Promise<boolean> {
    const prepared = messages.map((m) => this.prepare(topic, partition, m));
    for (const bad of prepared.filter((p) => p.error)) await this.router.deadLetter(bad, 'invalid');
    const valid = prepared.filter((p) => p.event);
    if (valid.length === 0) return false;
    const started = process.hrtime.bigint();
    let wroteOutbox = false;
    try {
      await this.opts.dataSource.transaction(async (m) => {
        for (const p of valid) await this.apply(p, m);
        wroteOutbox = wroteToOutbox(m);
      });
    } catch (err) {
      if (isInfrastructureError(err)) throw err;
      // One event spoiled the chunk: replay each alone so only the failing one is retried.
      wroteOutbox = false;
      for (const p of valid) wroteOutbox = (await this.applyAlone(p)) || wroteOutbox;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.handlerSeconds.observe({ group: this.opts.group, topic: valid[0].record.topic }, seconds / valid.length);
    return wroteOutbox;
  }

  private async apply(p: Prepared, manager: EntityManager): Promise<void> {
    const event = p.event as DomainEvent;
    const inserted = await manager.query(
      'INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1',
      [this.opts.group, event.id],
    );
    const labels = { group: this.opts.group, topic: p.record.topic };
    if (inserted.length === 0) {
      metrics.processed.inc({ ...labels, outcome: 'duplicate' });
      return;
    }
    await this.opts.handler(event, { manager, record: p.record });
    metrics.processed.inc({ ...labels, outcome: 'applied' });
  }

  private async applyAlone(p: Prepared): Promise<boolean> {
    try {
      return await this.opts.dataSource.transaction(async (m) => {
        await this.apply(p, m);
        return wroteToOutbox(m);
      });
    } catch (err) {
      if (isInfrastructureError(err)) throw err;
      this.opts.log?.('warn', 'event handler failed', { group: this.opts.group, topic: p.record.topic, eventId: p.event?.id, error: (err as Error).message });
      await this.router.retryOrDeadLetter(p, err as Error);
      return false;
    }
  }
}
