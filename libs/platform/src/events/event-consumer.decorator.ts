import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import type { DomainEvent, RawRecord } from '@compliance/contracts';
import type { RetryPolicy } from '@compliance/messaging';

/** `@EventPattern(ANY_EVENT)`: the per-event handler of every type that has no handler of its own. */
export const ANY_EVENT = '*';

/**
 * `fetchWaitMs` of the groups off the critical path (the audit trail, retention clocks): a webhook
 * reaches them as several records over a few hundred milliseconds, and gathering them costs one
 * transaction, offset commit and fetch instead of one per record.
 */
export const BACKGROUND_FETCH_WAIT_MS = 250;

/**
 * `fetchWaitMs` of the groups on the way from a webhook to its screening (kyc-results, aml-trigger).
 * Each record answered at once costs a wake-up of the consumer, a transaction and a relay drain; on a
 * busy machine those add up to more than the wait: at 100 webhooks/s, holding fetches 25 ms took
 * about a third of the whole suite's CPU off with the same end-to-end latency (docs/performance.md).
 */
export const CRITICAL_PATH_FETCH_WAIT_MS = 25;

/** A consumer group: which topics it reads and how. Declared once per controller with `@EventConsumer`. */
export interface EventConsumerDefinition {
  group: string;
  topics: string[];
  /** Most events one transaction applies per partition (default 500). */
  chunkSize?: number;
  retry?: Partial<RetryPolicy>;
  /** Overrides decoding (for example to take dead letters of other services as facts). */
  decode?: (raw: RawRecord, topic: string) => DomainEvent;
  /**
   * `'handlers'`: the group keeps no inbox rows; its handlers skip what they applied before by
   * themselves, in the same transaction (audit-log: an event id already chained). Default `'inbox'`.
   */
  dedupe?: 'inbox' | 'handlers';
  /**
   * How long the broker may hold a fetch of this group to gather records (ms; default 0: answer at
   * once), so that a trickle of traffic does not cost a wake-up, a transaction and an offset commit
   * per record. `KAFKA_FETCH_WAIT_MS` overrides it for a service.
   */
  fetchWaitMs?: number;
}

/** The extras of an `@EventPattern` handler: `{ batch: true }` takes every event of its types in a fetch. */
export interface EventPatternExtras {
  batch?: boolean;
  consumer?: EventConsumerDefinition;
  /** `Class.method`, set by `@EventConsumer`: the handler's name in metrics. */
  handlerName?: string;
}

/**
 * Names the consumer group whose events a controller's `@EventPattern` methods handle. Events of a
 * type no method handles are recorded in the inbox and skipped.
 *
 * ```ts
 * @Controller()
 * @EventConsumer({ group: ConsumerGroups.KycResults, topics: [Topics.WebhooksInbound] })
 * export class InboundController {
 *   @EventPattern(EventTypes.WebhookReceived, { batch: true })
 *   receive(@Payload() items: EventBatchItem[], @Ctx() ctx: EventContext) { … }
 * }
 * ```
 */
export function EventConsumer(definition: EventConsumerDefinition): ClassDecorator {
  return (target) => {
    const proto = target.prototype as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(proto)) {
      const method = proto[key];
      if (key === 'constructor' || typeof method !== 'function' || !Reflect.getMetadata(PATTERN_METADATA, method)) continue;
      const extras: EventPatternExtras = Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method) ?? {};
      Reflect.defineMetadata(PATTERN_EXTRAS_METADATA, { ...extras, consumer: definition, handlerName: `${target.name}.${key}` }, method);
    }
  };
}
