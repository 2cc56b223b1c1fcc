import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { EventTypes, KYC_STATUSES, kycEventType, type DomainEvent } from '@compliance/contracts';
import type { BatchEventHandler, ConsumerOptions, EventBatchItem, HandlerContext } from '@compliance/messaging';
import { EventContext } from './event-context';
import { ANY_EVENT, type EventConsumerDefinition, type EventPatternExtras } from './event-consumer.decorator';

/** What hosts the consumers the transport builds: the service's runtime (database, producer, relay). */
export interface ConsumerHost {
  startConsumers(consumers: Array<Omit<ConsumerOptions, 'dataSource'>>): Promise<void>;
  stopConsumers(): Promise<void>;
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
 * decides DLQ vs retry.
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

  /** Calls the handler through Nest's pipeline (guards, interceptors, pipes, filters) and waits for it. */
  private async invoke(handler: MessageHandler, payload: unknown, ctx: EventContext): Promise<void> {
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
