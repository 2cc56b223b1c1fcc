import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ENVELOPE_TRACEPARENT as PRODUCER_KEY, type EventBatchItem } from '@compliance/messaging';
import { newEvent } from '@compliance/contracts';
import { endEventSpans, startEventSpans } from './event-spans';
import { KafkaRootsDropped, restoreEnvelopeTraceparent, tracingRequested } from './start-tracing';
import { ENVELOPE_TRACEPARENT } from './trace-state';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const item = (n: number, traceparent?: string): EventBatchItem => ({
  event: { ...newEvent({ type: 'kyc.verification.approved', source: 'urn:test', data: { n } }), traceparent },
  record: { topic: 'kyc.verifications.v1', partition: 2, offset: String(40 + n), key: `k${n}`, headers: {}, value: '{}', attempt: 0 },
});

describe('tracing switches', () => {
  it('is off unless an OTLP endpoint or a trace exporter is named, and OTEL_SDK_DISABLED wins', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
  });

  it('drops the kafkajs instrumentation’s root send and poll spans only', () => {
    const sampler = new KafkaRootsDropped();
    expect(sampler.shouldSample(ROOT_CONTEXT, TRACE, 'send kyc.verifications.v1', SpanKind.PRODUCER).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(sampler.shouldSample(ROOT_CONTEXT, TRACE, 'poll kyc.verifications.v1', SpanKind.CLIENT).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(sampler.shouldSample(ROOT_CONTEXT, TRACE, 'POST', SpanKind.SERVER).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(sampler.shouldSample(ROOT_CONTEXT, TRACE, 'process webhook.received', SpanKind.CONSUMER).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('puts the record’s own traceparent back after the kafkajs instrumentation wrote its send span over it', () => {
    expect(ENVELOPE_TRACEPARENT).toBe(PRODUCER_KEY);
    const own = `00-${TRACE}-00f067aa0ba902b7-01`;
    const message = { key: 'k', value: '{}', headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00` }, [ENVELOPE_TRACEPARENT]: own };
    restoreEnvelopeTraceparent(undefined, { message });
    expect(message.headers.traceparent).toBe(own);
    const none = { key: 'k', value: '{}', headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00` } as Record<string, string> };
    restoreEnvelopeTraceparent(undefined, { message: none });
    expect(none.headers.traceparent).toBeUndefined();
  });
});

describe('per-event spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => trace.setGlobalTracerProvider(provider));
  afterAll(() => trace.disable());
  beforeEach(() => exporter.reset());

  it('makes each event’s span a child of the span its traceparent names, and hands the handler traceparents naming the new spans', () => {
    const parent = '00f067aa0ba902b7';
    const spans = startEventSpans([item(1, `00-${TRACE}-${parent}-01`)], 'aml-trigger', 'onApproved');
    expect(spans.active).toBe(spans.spans[0]);
    endEventSpans(spans);
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('process kyc.verification.approved');
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.parentSpanContext?.spanId).toBe(parent);
    expect(span.attributes).toMatchObject({ 'messaging.destination.name': 'kyc.verifications.v1', 'messaging.kafka.offset': 41, 'messaging.consumer.group.name': 'aml-trigger' });
    expect(spans.items[0].event.traceparent).toBe(`00-${TRACE}-${span.spanContext().spanId}-01`);
  });

  it('runs a batch in a span linked to every event’s span, and marks them all when the handler fails', () => {
    const spans = startEventSpans([item(1, `00-${TRACE}-00f067aa0ba902b7-01`), item(2)], 'retention', 'onLifecycle');
    expect(spans.active).not.toBe(spans.spans[0]);
    endEventSpans(spans, new Error('deadlock detected'));
    const finished = exporter.getFinishedSpans();
    expect(finished).toHaveLength(3);
    const batch = finished.find((s) => s.name === 'onLifecycle batch')!;
    expect(batch.links.map((l) => l.context.spanId)).toEqual(spans.spans.map((s) => s.spanContext().spanId));
    for (const s of finished) expect(s.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
    // An event without a traceparent starts a trace of its own.
    expect(spans.spans[1].spanContext().traceId).not.toBe(TRACE);
  });
});
