import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diditHeaders, diditSession, waitFor } from '@compliance/testing';
// The process stack (tools/stack) is a tool that starts the built services, not a library.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { SERVICES, Stack } from '../tools/stack/stack';
import { testDatabaseUrl } from '@compliance/persistence/testing';
import { testNamespace } from '@compliance/messaging/testing';

/** A span as an OTLP/HTTP JSON export carries it, with the service that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

/**
 * A trace collector as far as the test needs one: the OTLP/HTTP endpoint for traces, in JSON
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), keeping every span it is sent in memory.
 */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') this.take(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  private take(body: { resourceSpans?: Array<{ resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans?: Array<{ spans?: ReceivedSpan[] }> }> }): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) this.spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined, name: s.name, kind: s.kind });
      }
    }
  }
}

const ADMIN = `e2e-admin-${randomBytes(6).toString('hex')}`;
const SPAN_KIND_SERVER = 2;

describe('end to end: one trace from the webhook through the five services (OpenTelemetry)', () => {
  const receiver = new OtlpReceiver();
  let stack: Stack;

  beforeAll(async () => {
    const endpoint = await receiver.start();
    stack = new Stack({
      quiet: true,
      partitions: 3,
      env: {
        KAFKA_TOPIC_PREFIX: testNamespace('e2etrace'),
        DATABASE_URL: await testDatabaseUrl('e2etrace'),
        API_KEYS: `${ADMIN}:admin:e2e`,
        LOG_LEVEL: 'warn',
        // Only the standard variables: the endpoint, its protocol and a short export delay.
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        ...Object.fromEntries(SERVICES.map((s, i) => [s.portVar, String(3500 + Math.floor(Math.random() * 400) * 5 + i)])),
      },
    });
    stack.ensureBuilt();
    await stack.startInfrastructure();
    await stack.startAll();
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  it('continues the caller’s traceparent from the gateway’s request through kyc-results, aml-trigger, retention and audit-log, and the audit entries carry its trace id', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const payload = diditSession('v3-approved', { vendor_data: `e2e-${randomBytes(4).toString('hex')}` });
    const sessionId = payload.session_id as string;
    const body = JSON.stringify(payload);
    const headers = { ...diditHeaders(body, stack.env.DIDIT_WEBHOOK_SECRET.split(',')[0]), traceparent: `00-${traceId}-${callerSpan}-01` };
    const accepted = await fetch(`${stack.url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers, body });
    expect(accepted.status).toBe(202);

    const processed = (service: string, type: string) => receiver.trace(traceId).find((s) => s.service === service && s.name === `process ${type}`);
    const expected: Array<[string, string]> = [
      ['kyc-results', 'webhook.received'],
      ['aml-trigger', 'kyc.verification.approved'],
      ['retention', 'kyc.verification.approved'],
      ['audit-log', 'aml.screening.completed'],
    ];
    try {
      await waitFor(() => expected.every(([service, type]) => processed(service, type)), { what: 'the spans of the five services in one trace', timeoutMs: 120_000 });
    } catch (err) {
      // Say which hop is missing, and what the trace holds.
      const missing = expected.filter(([service, type]) => !processed(service, type)).map(([s, t]) => `${s}: process ${t}`);
      throw new Error(`${(err as Error).message}; missing ${missing.join(', ')}; received ${receiver.trace(traceId).map((s) => `${s.service}:${s.name}`).join(', ')}`);
    }
    const spans = receiver.trace(traceId);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['webhook-gateway', 'kyc-results', 'aml-trigger', 'retention', 'audit-log']));

    // Parent links: caller → gateway request → kyc-results → aml-trigger → audit-log.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const request = spans.find((s) => s.service === 'webhook-gateway' && s.kind === SPAN_KIND_SERVER)!;
    expect(request.parentSpanId).toBe(callerSpan);
    const kyc = processed('kyc-results', 'webhook.received')!;
    expect(kyc.parentSpanId).toBe(request.spanId);
    const aml = processed('aml-trigger', 'kyc.verification.approved')!;
    expect(byId.get(aml.parentSpanId!)).toBe(kyc);
    expect(byId.get(processed('audit-log', 'aml.screening.completed')!.parentSpanId!)).toBe(aml);
    // The handler's statements are children of the event's span (pg instrumentation).
    expect(spans.some((s) => s.service === 'kyc-results' && s.parentSpanId === kyc.spanId && /^(INSERT|SELECT|UPDATE|WITH|pg\.)/.test(s.name))).toBe(true);

    // audit-log keeps the trace id in each entry of the session.
    const timeline = await waitFor(async () => {
      const res = await fetch(`${stack.url('audit-log')}/sessions/${sessionId}/timeline`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const json = (await res.json()) as { steps?: Array<{ type: string; traceId: string | null }> };
      return json.steps?.some((e) => e.type === 'aml.screening.completed') && json.steps;
    }, { what: 'the session timeline' });
    expect(timeline.length).toBeGreaterThanOrEqual(3);
    const flow = timeline.filter((e) => /^(webhook|kyc\.verification|aml|compliance)\./.test(e.type));
    expect(flow.map((e) => e.type)).toEqual(expect.arrayContaining(['webhook.received', 'kyc.verification.approved', 'aml.screening.completed']));
    for (const entry of flow) expect(entry.traceId).toBe(traceId);
  }, 180_000);
});
