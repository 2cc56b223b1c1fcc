import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeEvent, retryTopicOf, validateEvent, type DomainEvent, type RawRecord } from '@compliance/contracts';
import { wroteToOutbox } from './outbox';
import type { EventProducer } from './producer';
import type { TopicNamespace } from './kafka';
import { isInfrastructureError } from './errors';
import { messagingMetrics as metrics } from './metrics';
import { DEFAULT_RETRY_POLICY, retryState, stringHeaders, type RetryPolicy } from './retry-headers';
import { DeadLetterRouter, type Prepared } from './dead-letter-router';
import { claimInbox, dispatch, type ConsumedRecord, type EventBatchItem, type Handlers } from './event-dispatch';
import { FetchGatherer } from './fetch-gatherer';

export type { BatchEventHandler, ConsumedRecord, EventBatchItem, EventHandler, HandlerContext } from './event-dispatch';

export interface ConsumerOptions extends Handlers {
  group: string;
  topics: string[];
  dataSource: DataSource;
  retry?: Partial<RetryPolicy>;
  /**
   * Most events one transaction applies per partition (default 500). A fetch is applied in one
   * transaction across all its partitions; a failing transaction is replayed one event per transaction.
   */
  chunkSize?: number;
  /** Overrides decoding (for example to take dead letters of other services as facts). */
  decode?: (raw: RawRecord, topic: string) => DomainEvent;
  /**
   * How a redelivered event is kept from being applied twice. `'inbox'` (default): an inbox row per
   * event in the transaction of its effects. `'handlers'`: no inbox rows; every handler of the group
   * recognises, in the same transaction, an event it applied before (for example by a unique event
   * id in its own table) and skips it. An id repeated within one fetch is applied once either way.
   */
  dedupe?: 'inbox' | 'handlers';
  /**
   * How long the broker may hold a fetch to gather records for this group (its main topics; retries
   * are not held). 0 (default): a fetch is answered as soon as any record is there, so under a trickle
   * of traffic every record costs a wake-up, a transaction, an offset commit and a fetch of its own.
   * With `maxWaitMs` the broker answers after that long or once `minBytes` (default 1 MiB) are there,
   * whichever comes first, so the group takes fewer, larger fetches.
   */
  fetch?: { maxWaitMs: number; minBytes?: number };
  /**
   * Called after each transaction commits (before its offsets are committed, so the relay publishes
   * while the offset commit is in flight); `wroteOutbox` when it added events to the outbox.
   */
  onCommitted?: (chunk: { wroteOutbox: boolean }) => void;
  log?: (level: 'error' | 'warn' | 'info', message: string, extra?: Record<string, unknown>) => void;
}

function defaultDecode(raw: RawRecord): DomainEvent {
  const event = decodeEvent(raw);
  validateEvent(event);
  return event;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** With `fetch.maxWaitMs`, a fetch is answered early once this much is there. */
const DEFAULT_FETCH_MIN_BYTES = 1024 * 1024;

// Enough workers that every partition of a fetch is handed over in the same tick (see FetchGatherer).
const FETCH_WORKERS = 256;

interface PartitionSlice {
  payload: EachBatchPayload;
  topic: string;
  messages: KafkaMessage[];
}

/**
 * The consumer runtime every service uses: a fetch is applied in one transaction across its
 * partitions (batched inbox dedupe, the handlers' effects, outbox rows), offsets are committed once
 * after it, failures go to `<group>.retry` with backoff and then to `<group>.dlq`, undecodable or
 * invalid records straight to the DLQ.
 */
export class ConsumerRunner {
  private readonly policy: RetryPolicy;
  private readonly main: Consumer;
  private readonly retry: Consumer;
  private readonly router: DeadLetterRouter;
  private readonly gatherer = new FetchGatherer((payloads) => this.applyFetch(payloads));
  private stopping = false;
  private restarts = 0;

  constructor(
    kafka: Kafka,
    private readonly ns: TopicNamespace,
    producer: EventProducer,
    private readonly opts: ConsumerOptions,
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    // A crashed member is noticed within 10 s, so its partitions move on quickly; handlers heartbeat per commit.
    const common = { sessionTimeout: 10_000, heartbeatInterval: 1000, retry: { retries: 10, restartOnFailure: async () => true } };
    const held = opts.fetch && opts.fetch.maxWaitMs > 0 ? { maxWaitTimeInMs: opts.fetch.maxWaitMs, minBytes: opts.fetch.minBytes ?? DEFAULT_FETCH_MIN_BYTES } : {};
    this.main = kafka.consumer({ groupId: ns.physical(opts.group), ...common, ...held });
    this.retry = kafka.consumer({ groupId: ns.physical(`${opts.group}-retry`), ...common });
    this.router = new DeadLetterRouter(producer, opts.group, this.policy);
  }

  get group(): string {
    return this.opts.group;
  }

  async start(): Promise<void> {
    this.stopping = false;
    await Promise.all([this.main.connect(), this.retry.connect()]);
    await this.main.subscribe({ topics: this.opts.topics.map((t) => this.ns.physical(t)), fromBeginning: true });
    await this.retry.subscribe({ topics: [this.ns.physical(retryTopicOf(this.opts.group))], fromBeginning: true });
    const runMain = () =>
      this.main.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: FETCH_WORKERS,
        eachBatch: (p) => this.gatherer.submit(p),
      });
    const runRetry = () =>
      this.retry.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 3,
        eachBatch: (p) => this.onRetryBatch(p),
      });
    this.supervise(this.main, this.opts.group, runMain);
    this.supervise(this.retry, `${this.opts.group}-retry`, runRetry);
    await runMain();
    await runRetry();
  }

  /**
   * kafkajs restarts a crashed consumer only after a retriable error. A non-retriable one leaves it
   * disconnected for good while the process looks healthy: on a cluster, a JoinGroup answered "the
   * coordinator is not aware of this member" after the coordinator moved does that. Such a consumer
   * is connected and run again here, with back-off, until it is running or the runner is stopped.
   */
  private supervise(consumer: Consumer, group: string, run: () => Promise<void>): void {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping) return;
      this.restarts++;
      metrics.consumerRestarts.inc({ group });
      this.opts.log?.('error', 'consumer stopped by a non-retriable error: restarting it', { group, error: payload.error?.message });
      void (async () => {
        for (let attempt = 0; !this.stopping; attempt++) {
          await sleep(Math.min(30_000, 1000 * 2 ** attempt));
          if (this.stopping) return;
          try {
            await consumer.connect();
            await run();
            this.opts.log?.('info', 'consumer restarted', { group, attempt });
            return;
          } catch (err) {
            this.opts.log?.('error', 'consumer restart failed: trying again', { group, attempt, error: (err as Error).message });
            await consumer.disconnect().catch(() => undefined);
          }
        }
      })();
    });
  }

  /** How many times a consumer of this runner was restarted after kafkajs gave up on it. */
  get restartCount(): number {
    return this.restarts;
  }

  /** Stops fetching, lets the batch in flight finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([this.main.disconnect(), this.retry.disconnect()]);
  }

  /** The batches of one fetch, applied chunk by chunk: chunk k holds slice k of every partition. */
  private async applyFetch(payloads: EachBatchPayload[]): Promise<void> {
    const size = this.opts.chunkSize ?? 500;
    const longest = Math.max(...payloads.map((p) => p.batch.messages.length));
    for (let i = 0; i < longest; i += size) {
      const live = payloads.filter((p) => p.isRunning() && !p.isStale() && i < p.batch.messages.length);
      if (live.length === 0) break;
      const slices = live.map((payload) => ({ payload, topic: this.ns.logical(payload.batch.topic), messages: payload.batch.messages.slice(i, i + size) }));
      await this.applyAndCommit(this.main, slices);
    }
    for (const { batch } of payloads) {
      metrics.lag.set({ group: this.opts.group, topic: this.ns.logical(batch.topic), partition: String(batch.partition) }, Number(batch.offsetLag()));
    }
  }

  /** Retried records one at a time, each when it is due; heartbeats keep the membership meanwhile. */
  private async onRetryBatch(p: EachBatchPayload): Promise<void> {
    const topic = this.ns.logical(p.batch.topic);
    for (const message of p.batch.messages) {
      if (!p.isRunning() || p.isStale()) return;
      const { dueAt } = retryState(stringHeaders(message.headers), '');
      while (p.isRunning() && !p.isStale() && Date.now() < dueAt) {
        await sleep(Math.min(1000, dueAt - Date.now()));
        await p.heartbeat();
      }
      await this.applyAndCommit(this.retry, [{ payload: p, topic, messages: [message] }]);
    }
  }

  private async applyAndCommit(consumer: Consumer, slices: PartitionSlice[]): Promise<void> {
    const wroteOutbox = await this.process(slices.map((s) => s.messages.map((m) => this.prepare(s.topic, s.payload.batch.partition, m))));
    // The effects are committed: the relay can publish what they added while the offsets are committed.
    this.opts.onCommitted?.({ wroteOutbox });
    const offsets = slices.map(({ payload, messages }) => {
      const last = messages[messages.length - 1].offset;
      payload.resolveOffset(last);
      return { topic: payload.batch.topic, partition: payload.batch.partition, offset: (BigInt(last) + 1n).toString() };
    });
    await consumer.commitOffsets(offsets);
    await slices[0].payload.heartbeat();
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

  /** Applies the prepared records of several partitions in one transaction; returns whether it added to the outbox. */
  private async process(perPartition: Prepared[][]): Promise<boolean> {
    for (const bad of perPartition.flat().filter((p) => p.error)) await this.router.deadLetter(bad, 'invalid');
    const valid = perPartition.map((list) => list.filter((p) => p.event));
    const count = valid.reduce((n, list) => n + list.length, 0);
    if (count === 0) return false;
    const started = process.hrtime.bigint();
    let wroteOutbox = false;
    try {
      await this.opts.dataSource.transaction(async (m) => {
        await this.apply(valid, m);
        wroteOutbox = wroteToOutbox(m);
      });
    } catch (err) {
      if (isInfrastructureError(err)) throw err;
      // One event spoiled the transaction: replay each alone so only the failing one is retried.
      wroteOutbox = false;
      for (const p of valid.flat()) wroteOutbox = (await this.applyAlone(p)) || wroteOutbox;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.handlerSeconds.observe({ group: this.opts.group, topic: valid.find((l) => l.length)?.[0].record.topic ?? '' }, seconds / count);
    return wroteOutbox;
  }

  /** Inbox rows for all, then the handlers for the events seen for the first time. */
  private async apply(perPartition: Prepared[][], manager: EntityManager): Promise<void> {
    const ids = perPartition.flatMap((list) => list.map((p) => (p.event as DomainEvent).id));
    const fresh = this.opts.dedupe === 'handlers' ? new Set(ids) : await claimInbox(manager, this.opts.group, ids);
    const items = perPartition.map((list) =>
      list.flatMap((p) => {
        const event = p.event as DomainEvent;
        const first = fresh.delete(event.id);
        metrics.processed.inc({ group: this.opts.group, topic: p.record.topic, outcome: first ? 'applied' : 'duplicate' });
        return first ? [{ event, record: p.record } as EventBatchItem] : [];
      }),
    );
    await dispatch(this.opts, items, manager);
  }

  private async applyAlone(p: Prepared): Promise<boolean> {
    try {
      return await this.opts.dataSource.transaction(async (m) => {
        await this.apply([[p]], m);
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
