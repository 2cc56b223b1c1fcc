import { context, defaultTextMapGetter, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Whether this process exports traces (`startTracing` found an exporter configured). Everything on
 * the event path asks this first, so a process without tracing pays one boolean test per call.
 */
let enabled = false;

export function tracingEnabled(): boolean {
  return enabled;
}

let shutdown: (() => Promise<void>) | undefined;

/** Set by `startTracing` once the SDK is running (and by tests that register a provider themselves). */
export function setTracingEnabled(on: boolean, stop?: () => Promise<void>): void {
  enabled = on;
  shutdown = on ? stop : undefined;
}

/** Sends the spans still buffered and stops tracing; a service calls it as it shuts down. */
export async function stopTracing(): Promise<void> {
  const stop = shutdown;
  setTracingEnabled(false);
  await stop?.().catch(() => undefined);
}

/**
 * The key under which the producer keeps an outgoing record's own `traceparent` on the kafkajs
 * message (a symbol: kafkajs writes only string keys as headers). The kafkajs instrumentation
 * overwrites the header with its send span; its producer hook puts the event's back from here.
 */
export const ENVELOPE_TRACEPARENT = Symbol.for('compliance.envelope.traceparent');

/** The W3C `traceparent` of a span. */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The `traceparent` of the span active here, when tracing is on and a span is active. */
export function activeTraceparent(): string | undefined {
  if (!enabled) return undefined;
  const span = trace.getActiveSpan();
  return span && span.spanContext().traceId !== '00000000000000000000000000000000' ? traceparentOf(span) : undefined;
}

/** The context a W3C `traceparent` names as remote parent (the root context when absent). */
export function contextOf(traceparent: string | undefined, base: Context = context.active()): Context {
  return traceparent ? w3c.extract(base, { traceparent }, defaultTextMapGetter) : base;
}

const w3c = new W3CTraceContextPropagator();
