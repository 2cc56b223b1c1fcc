import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { EventBatchItem } from '@compliance/messaging';
import { contextOf, traceparentOf } from './trace-state';

const tracer = () => trace.getTracer('@compliance/platform');

export interface EventSpans {
  /** One span per event, a child of the span its `traceparent` names (the producer's). */
  spans: Span[];
  /** The items with each event's `traceparent` now naming its span: what the handler publishes continues it. */
  items: EventBatchItem[];
  /** The span the handler runs in: the event's own, or for several events one linked to each of theirs. */
  active: Span;
}

/** Starts the spans of one handler call over `items` (a fetch's events of its types, or one event). */
export function startEventSpans(items: EventBatchItem[], group: string, handlerName: string): EventSpans {
  const spans = items.map(({ event, record }) =>
    tracer().startSpan(
      `process ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': record.topic,
          'messaging.destination.partition.id': String(record.partition),
          'messaging.kafka.offset': Number(record.offset),
          'messaging.consumer.group.name': group,
          'messaging.message.id': event.id,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
          'cloudevents.event_source': event.source,
        },
      },
      contextOf(event.traceparent, ROOT_CONTEXT),
    ),
  );
  const traced = items.map((item, i) => ({ ...item, event: { ...item.event, traceparent: traceparentOf(spans[i]) } }));
  const active =
    spans.length === 1
      ? spans[0]
      : tracer().startSpan(`${handlerName} batch`, {
          kind: SpanKind.INTERNAL,
          attributes: { 'messaging.batch.message_count': spans.length, 'messaging.consumer.group.name': group },
          links: spans.map((s) => ({ context: s.spanContext() })),
        }, ROOT_CONTEXT);
  return { spans, items: traced, active };
}

/** Ends the spans of a call; a failure marks every one of them. */
export function endEventSpans({ spans, active }: EventSpans, err?: unknown): void {
  const all = active === spans[0] && spans.length === 1 ? spans : [...spans, active];
  for (const span of all) {
    if (err !== undefined) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    }
    span.end();
  }
}
