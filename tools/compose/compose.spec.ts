import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@compliance/platform';
import { AmlTriggerConfig } from '../../apps/aml-trigger/src/aml-trigger.config';
import { AuditLogConfig } from '../../apps/audit-log/src/audit-log.config';
import { KycResultsConfig } from '../../apps/kyc-results/src/kyc-results.config';
import { RetentionConfig } from '../../apps/retention/src/retention.config';
import { WebhookGatewayConfig } from '../../apps/webhook-gateway/src/webhook-gateway.config';
import { SERVICES } from '../stack/stack';

const ROOT = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; ports?: string[]; healthcheck?: { test: string[] }; build?: { args?: { APP?: string } }; depends_on?: Record<string, { condition: string }>; command?: string[] }>;
};
const CONFIGS: Record<string, new () => object> = {
  'webhook-gateway': WebhookGatewayConfig,
  'kyc-results': KycResultsConfig,
  'aml-trigger': AmlTriggerConfig,
  retention: RetentionConfig,
  'audit-log': AuditLogConfig,
};

/** Resolves compose's `${VAR:-default}` the way compose does when VAR is unset. */
const resolve = (value: string) => String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
/** The image's WORKDIR /app holds what the repository root holds (data/ included). */
const onHost = (value: string) => value.replace(/^\/app\//, `${ROOT}/`);

describe('docker-compose.yml matches the services', () => {
  it('runs Kafka (KRaft), Postgres, a one-shot topic setup, the five services and a trace viewer they export to', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['aml-trigger', 'audit-log', 'jaeger', 'kafka', 'kyc-results', 'postgres', 'retention', 'topic-setup', 'webhook-gateway']);
    expect(compose.services.jaeger.ports).toEqual(expect.arrayContaining(['16686:16686', '4318:4318']));
    for (const { name } of SERVICES) expect(resolve(compose.services[name].environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? '')).toBe('http://jaeger:4318');
    expect(compose.services.kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(compose.services['topic-setup'].command?.join(' ')).toContain('setup-topics');
  });

  it.each(SERVICES.map((s) => [s.name, s.portVar] as const))('%s: every variable is one its config class knows, and the config validates', (name, portVar) => {
    const svc = compose.services[name];
    const env = Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, onHost(resolve(v))]));
    const cls = CONFIGS[name];
    const known = new Set(Object.keys(new cls()));
    // The standard OpenTelemetry variables are read by the SDK, not by the config class.
    expect(Object.keys(env).filter((k) => !known.has(k) && !k.startsWith('OTEL_'))).toEqual([]);
    const config = loadConfig(cls, name, env) as Record<string, unknown>;
    const port = config[portVar];
    expect(svc.ports).toEqual([`${port}:${port}`]);
    expect(svc.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/health/ready`);
    expect(svc.build?.args?.APP).toBe(name);
    expect(svc.depends_on?.['topic-setup']?.condition).toBe('service_completed_successfully');
  });
});
