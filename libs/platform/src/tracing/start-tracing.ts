import type { Context, SpanKind } from '@opentelemetry/api';
import { SpanKind as Kind } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { KafkaJsInstrumentation, type KafkajsMessage } from '@opentelemetry/instrumentation-kafkajs';
import { ParentBasedSampler, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { ENVELOPE_TRACEPARENT, setTracingEnabled } from './trace-state';

export { stopTracing } from './trace-state';

/** Routes whose requests are not traced: probes and scrapes would drown the traces that matter. */
const UNTRACED_PATHS = /^\/(metrics|health)(\/|\?|$)/;

/**
 * Whether the standard variables ask for traces: an OTLP endpoint, or an exporter named in
 * `OTEL_TRACES_EXPORTER` (not `none`), and `OTEL_SDK_DISABLED` not `true`. Off when unset.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * Root spans of the kafkajs instrumentation are not kept: a batch consumer's `poll` span and the
 * outbox relay's `send` spans start traces of their own (the instrumentation links a batch's records
 * rather than parenting them), one per fetch and per record. The event's own trace is carried by the
 * `traceparent` of the envelope and the transport's per-event span. Everything else is sampled as the
 * parent was, and roots always.
 */
export class KafkaRootsDropped implements Sampler {
  shouldSample(_ctx: Context, _traceId: string, name: string, kind: SpanKind): SamplingResult {
    const kafkaRoot = (kind === Kind.PRODUCER && name.startsWith('send ')) || (kind === Kind.CLIENT && name.startsWith('poll '));
    return { decision: kafkaRoot ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED };
  }
  toString(): string {
    return 'KafkaRootsDropped';
  }
}

/**
 * The kafkajs instrumentation writes its send span's `traceparent` over the record's header. The
 * record's own one (the event's trace, which the audit entry and the next service continue) is put
 * back; the producer kept it under `ENVELOPE_TRACEPARENT`.
 */
export function restoreEnvelopeTraceparent(_span: unknown, { message }: { message: KafkajsMessage }): void {
  const own = (message as KafkajsMessage & { [ENVELOPE_TRACEPARENT]?: string })[ENVELOPE_TRACEPARENT];
  if (!message.headers) return;
  if (own) message.headers.traceparent = own;
  else delete message.headers.traceparent;
}

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry for a service when the `OTEL_*` variables ask for it (see `tracingRequested`):
 * HTTP, pg and kafkajs instrumentation and the exporter `OTEL_TRACES_EXPORTER` /
 * `OTEL_EXPORTER_OTLP_*` name. Must run before the instrumented packages are loaded: each app's
 * `src/tracing.ts` calls it and `main.ts` imports that first. Metrics and logs stay with prom-client
 * and pino unless `OTEL_METRICS_EXPORTER` / `OTEL_LOGS_EXPORTER` say otherwise.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || !tracingRequested(env)) return Boolean(sdk);
  env.OTEL_SERVICE_NAME ||= service;
  env.OTEL_METRICS_EXPORTER ||= 'none';
  env.OTEL_LOGS_EXPORTER ||= 'none';
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME,
    sampler: new ParentBasedSampler({ root: new KafkaRootsDropped() }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? '') }),
      // Statements outside any span (relay polls, sweeps, heartbeats) are not traced.
      new PgInstrumentation({ requireParentSpan: true }),
      new KafkaJsInstrumentation({ producerHook: restoreEnvelopeTraceparent }),
    ],
  });
  sdk.start();
  const running = sdk;
  setTracingEnabled(true, async () => {
    sdk = undefined;
    await running.shutdown();
  });
  return true;
}
