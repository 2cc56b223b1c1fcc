import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@compliance/contracts';
import type { ConsumedRecord, EventBatchItem } from '@compliance/messaging';

export interface EventContextArgs {
  /** The consumer group the event was consumed by. */
  group: string;
  /** The transaction of the fetch: the inbox rows are in it, and the handler's effects belong in it. */
  manager: EntityManager;
  /** What the handler was given: one event, or every event of its types in a fetch (`batch`). */
  items: EventBatchItem[];
  batch: boolean;
}

/**
 * `@Ctx()` of an `@EventPattern` handler: the transaction's `EntityManager`, the Kafka record(s) the
 * event(s) came from (topic, partition, offset, headers) and the trace context.
 */
export class EventContext extends BaseRpcContext<[EventContextArgs]> {
  constructor(args: EventContextArgs) {
    super([args]);
  }

  getGroup(): string {
    return this.args[0].group;
  }

  getManager(): EntityManager {
    return this.args[0].manager;
  }

  isBatch(): boolean {
    return this.args[0].batch;
  }

  /** The events handed over, in the order they are applied (one for a per-event handler). */
  getEvents(): DomainEvent[] {
    return this.args[0].items.map((i) => i.event);
  }

  /** The record of a per-event handler's event (the first one of a batch). */
  getRecord(): ConsumedRecord {
    return this.args[0].items[0].record;
  }

  getRecords(): ConsumedRecord[] {
    return this.args[0].items.map((i) => i.record);
  }

  /** The logical topic the event was first published to (a retry is transparent). */
  getTopic(): string {
    return this.getRecord().topic;
  }

  getPartition(): number {
    return this.getRecord().partition;
  }

  getOffset(): string {
    return this.getRecord().offset;
  }

  getHeaders(): Record<string, string> {
    return this.getRecord().headers;
  }

  /** The W3C `traceparent` the event carries, if any. */
  getTraceparent(): string | undefined {
    return this.args[0].items[0]?.event.traceparent;
  }

  /** The trace id of the `traceparent`, if any. */
  getTraceId(): string | undefined {
    return this.getTraceparent()?.split('-')[1];
  }

  /** What a log line about this call says (ids and positions only, never event data). */
  logBindings(): Record<string, unknown> {
    const events = this.getEvents();
    const record = this.getRecord();
    return {
      group: this.getGroup(),
      eventType: events.length === 1 ? events[0].type : [...new Set(events.map((e) => e.type))],
      ...(events.length === 1 ? { eventId: events[0].id, topic: record.topic, partition: record.partition, offset: record.offset } : { events: events.length }),
      ...(this.getTraceId() ? { traceId: this.getTraceId() } : {}),
    };
  }
}
