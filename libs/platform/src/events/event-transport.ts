import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import { Histogram } from 'prom-client';
import { isObservable, lastValueFrom } from 'rxjs';
import { metricOnce } from '@compliance/observability';
import type { EntityManager } from 'typeorm';
import { EventTypes, KYC_STATUSES, kycEventType, type DomainEvent } from '@compliance/contracts';
import type { BatchEventHandler, ConsumerOptions, EventBatchItem, HandlerContext } from '@compliance/messaging';
import { context, trace } from '@opentelemetry/api';
import { EventContext } from './event-context';
import { endEventSpans, startEventSpans } from '../tracing/event-spans';
import { tracingEnabled } from '../tracing/trace-state';
import { ANY_EVENT, type EventConsumerDefinition, type EventPatternExtras } from './event-consumer.decorator';

/** What hosts the consumers the transport builds: the service's runtime (database, producer, relay). */
export interface ConsumerHost {
  startConsumers(consumers: Array<Omit<ConsumerOptions, 'dataSource'>>): Promise<void>;
  stopConsumers(): Promise<void>;
}

const handlerSeconds = metricOnce(
  'event_handler_duration_seconds',
  () =>
    new Histogram({
      name: 'event_handler_duration_seconds',
      help: 'Time in an @EventPattern handler per call (a batch handler takes a fetch of events), by outcome',
      labelNames: ['group', 'handler', 'outcome'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
);

/**
 * nestjs-pino's per-call store: `PinoLogger` inside a handler writes with the event's ids, position
 * and trace id bound. The child logger is made only if something logs.
 */
class EventLogStore {
  private child?: Logger;
  constructor(
    private readonly root: Logger,
    private readonly ctx: EventContext,
  ) {}
  get logger(): Logger {
    return (this.child ??= this.root.child(this.ctx.logBindings()));
  }
}

/** Every event type of the catalogue: a type with no handler is skipped before batches are formed. */
const KNOWN_TYPES: string[] = [...Object.values(EventTypes), ...KYC_STATUSES.map(kycEventType)];

interface GroupHandlers {
  definition: EventConsumerDefinition;
  batch: Map<string, MessageHandler>;
  single: Map<string, MessageHandler>;
}

/**
 * The Nest transport of the suite's messaging runtime. Handlers are `@EventPattern` controller
 * methods; the transport turns them into the runtime's consumers, which keep every guarantee: a
 * fetch is applied in one transaction across its partitions with the inbox rows, offsets are
 * committed after it, failures go to the retry topic and then the DLQ. A `{ batch: true }` handler
 * gets every event of its types in a fetch at once (in partition order); the others one at a time.
 * Errors reach the runtime as thrown (see `RethrowRpcErrors`), so permanent vs transient still
 * decides DLQ vs retry. Around each call the transport times the handler by outcome and binds the
 * event's ids to the log; it does so itself rather than through a Nest interceptor, whose chain
 * costs tens of microseconds per call on Node 20 (docs/architecture.md).
 */
export class EventTransport extends Server implements CustomTransportStrategy {
  constructor(private readonly host: ConsumerHost) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.host.startConsumers(this.consumers());
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    await this.host.stopConsumers();
  }

  on(): never {
    throw new Error('EventTransport emits no status events');
  }

  unwrap<T>(): T {
    return this.host as T;
  }

  /** One consumer per group named by the controllers' `@EventConsumer`. */
  consumers(): Array<Omit<ConsumerOptions, 'dataSource'>> {
    return [...this.groups().values()].map(({ definition, batch, single }) => {
      const batchHandlers: Record<string, BatchEventHandler | null> = {};
      if (!single.has(ANY_EVENT)) for (const type of KNOWN_TYPES) if (!single.has(type)) batchHandlers[type] = null;
      // The types of one method share runs (the runtime forms runs by function identity). Nest
      // registers a callback per pattern, but the patterns of one method share its extras object.
      const byMethod = new Map<object, BatchEventHandler>();
      for (const [type, handler] of batch) {
        let fn = byMethod.get(handler.extras!);
        if (!fn) byMethod.set(handler.extras!, (fn = (items, { manager }) => this.invoke(handler, items, new EventContext({ group: definition.group, manager, items, batch: true }))));
        batchHandlers[type] = fn;
      }
      return {
        group: definition.group,
        topics: definition.topics,
        chunkSize: definition.chunkSize,
        retry: definition.retry,
        decode: definition.decode,
        dedupe: definition.dedupe,
        fetch: definition.fetchWaitMs ? { maxWaitMs: definition.fetchWaitMs } : undefined,
        batchHandlers,
        handler: single.size ? (event, ctx) => this.handleOne(definition.group, single, event, ctx) : undefined,
      };
    });
  }

  private handleOne(group: string, single: Map<string, MessageHandler>, event: DomainEvent, { manager, record }: HandlerContext): Promise<void> {
    const handler = single.get(event.type) ?? single.get(ANY_EVENT);
    if (!handler) return Promise.resolve();
    return this.invoke(handler, event, this.contextOf(group, manager, { event, record }));
  }

  private contextOf(group: string, manager: EntityManager, item: EventBatchItem): EventContext {
    return new EventContext({ group, manager, items: [item], batch: false });
  }

  /**
   * Calls the handler through Nest's pipeline (guards, pipes, filters, any interceptors an app adds)
   * and waits for it, timed by outcome, with the event's log context.
   */
  private invoke(handler: MessageHandler, payload: unknown, ctx: EventContext): Promise<void> {
    return tracingEnabled() ? this.invokeTraced(handler, ctx) : this.invokeUntraced(handler, payload, ctx);
  }

  /**
   * With tracing on: a span per event, a child of the producer's span its `traceparent` names, and
   * the handler sees each event's `traceparent` naming that span, so what it publishes continues the
   * trace. The handler runs in the event's span (its statements become children), or for a batch in
   * a span linked to every event's.
   */
  private async invokeTraced(handler: MessageHandler, ctx: EventContext): Promise<void> {
    const [args] = ctx.getArgs();
    const spans = startEventSpans(args.items, args.group, (handler.extras as EventPatternExtras).handlerName ?? 'handler');
    const traced = new EventContext({ ...args, items: spans.items });
    const payload = args.batch ? spans.items : spans.items[0].event;
    try {
      await context.with(trace.setSpan(context.active(), spans.active), () => this.invokeUntraced(handler, payload, traced));
      endEventSpans(spans);
    } catch (err) {
      endEventSpans(spans, err);
      throw err;
    }
  }

  private async invokeUntraced(handler: MessageHandler, payload: unknown, ctx: EventContext): Promise<void> {
    const end = handlerSeconds.startTimer({ group: ctx.getGroup(), handler: (handler.extras as EventPatternExtras).handlerName ?? 'unknown' });
    const root = PinoLogger.root as Logger | undefined;
    try {
      if (root) await storage.run(new EventLogStore(root, ctx), () => this.call(handler, payload, ctx));
      else await this.call(handler, payload, ctx);
      end({ outcome: 'ok' });
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  }

  private async call(handler: MessageHandler, payload: unknown, ctx: EventContext): Promise<void> {
    const result = await handler(payload, ctx);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  private groups(): Map<string, GroupHandlers> {
    const groups = new Map<string, GroupHandlers>();
    for (const [pattern, handler] of this.messageHandlers) {
      const extras = (handler.extras ?? {}) as EventPatternExtras;
      if (!extras.consumer) throw new Error(`@EventPattern('${pattern}') is in a controller without @EventConsumer: no consumer group reads it`);
      if (handler.next) throw new Error(`two @EventPattern handlers for '${pattern}': one handler per event type`);
      const { group } = extras.consumer;
      let g = groups.get(group);
      if (!g) groups.set(group, (g = { definition: extras.consumer, batch: new Map(), single: new Map() }));
      else if (g.definition !== extras.consumer) throw new Error(`consumer group ${group} is declared by two @EventConsumer decorators`);
      if (extras.batch && pattern === ANY_EVENT) throw new Error('ANY_EVENT takes a per-event handler, not a batch one');
      (extras.batch ? g.batch : g.single).set(pattern, handler);
    }
    return groups;
  }
}
