import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadServiceConfig } from '@compliance/platform';
import { envFileText, generateSecrets, missingSecrets } from '../secrets/generate';
import { AmlTriggerConfig } from '../../apps/aml-trigger/src/aml-trigger.config';
import { AuditLogConfig } from '../../apps/audit-log/src/audit-log.config';
import { KycResultsConfig } from '../../apps/kyc-results/src/kyc-results.config';
import { RetentionConfig } from '../../apps/retention/src/retention.config';
import { WebhookGatewayConfig } from '../../apps/webhook-gateway/src/webhook-gateway.config';
import { ConsoleConfig } from '../../apps/console/src/console.config';
import { SERVICES } from '../stack/stack';
import { replicationSettings } from '../kafka/broker';

const ROOT = join(__dirname, '..', '..');
interface ComposeFile {
  services: Record<string, { image?: string; environment?: Record<string, string>; ports?: string[]; healthcheck?: { test: string[] }; build?: { args?: { APP?: string } }; depends_on?: Record<string, { condition: string }>; command?: string[]; entrypoint?: string[]; volumes?: string[] }>;
}
const readCompose = (file: string) => parse(readFileSync(join(ROOT, file), 'utf8'), { merge: true }) as ComposeFile;
const compose = readCompose('docker-compose.yml');
/** docker-compose.sasl.yml: Kafka with SASL/SCRAM and ACLs, merged over the base file as compose merges it (maps key by key). */
const saslOverlay = readCompose('docker-compose.sasl.yml');
const withSasl: ComposeFile = {
  services: Object.fromEntries(
    Object.entries(compose.services).map(([name, svc]) => {
      const over = saslOverlay.services[name] ?? {};
      return [name, { ...svc, ...over, environment: { ...svc.environment, ...over.environment } }];
    }),
  ),
};
/**
 * docker-compose.cluster.yml: three brokers, merged over the base file as compose merges it (maps such
 * as environment and depends_on key by key, the other keys replaced, new services added).
 */
const clusterOverlay = readCompose('docker-compose.cluster.yml');
const withCluster: ComposeFile = {
  services: Object.fromEntries(
    [...new Set([...Object.keys(compose.services), ...Object.keys(clusterOverlay.services)])].map((name) => {
      const svc = compose.services[name] ?? {};
      const over = clusterOverlay.services[name] ?? {};
      return [name, { ...svc, ...over, environment: { ...svc.environment, ...over.environment }, depends_on: { ...svc.depends_on, ...over.depends_on } }];
    }),
  ),
};
const CLUSTER_BROKERS = ['kafka', 'kafka-2', 'kafka-3'];
const CONFIGS: Record<string, new () => object> = {
  'webhook-gateway': WebhookGatewayConfig,
  'kyc-results': KycResultsConfig,
  'aml-trigger': AmlTriggerConfig,
  retention: RetentionConfig,
  'audit-log': AuditLogConfig,
};

/** The secrets `npm run secrets` writes to .env, as compose would read them. */
const { secrets } = generateSecrets();
const ENV_FILE: Record<string, string> = Object.fromEntries(envFileText(secrets).trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 2, -1)]));

/**
 * Resolves compose's `${VAR:-default}` the way compose does when VAR is unset, and `${VAR:?message}`
 * (required, no default) from the .env `npm run secrets` writes.
 */
const resolve = (value: string) =>
  String(value)
    .replace(/\$\{([A-Z0-9_]+):\?[^}]*\}/g, (_, name: string) => {
      if (!(name in ENV_FILE)) throw new Error(`${name} is required by docker-compose.yml but npm run secrets does not write it`);
      return ENV_FILE[name];
    })
    .replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
/** The image's WORKDIR /app holds what the repository root holds (data/ included). */
const onHost = (value: string) => value.replace(/^\/app\//, `${ROOT}/`);

describe('docker-compose.yml matches the services', () => {
  it('takes every secret from .env (npm run secrets), with no default in either file', () => {
    const text = ['docker-compose.yml', 'docker-compose.sasl.yml'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    for (const name of Object.keys(ENV_FILE)) {
      expect(text).toContain(`\${${name}:?`);
      expect(text).not.toMatch(new RegExp(`\\$\\{${name}:-`));
    }
  });

  it('npm run secrets adds the secrets an older .env lacks and keeps the ones it has', () => {
    const older = 'API_KEYS=\'kept\'\nPII_ENCRYPTION_KEY=\'kept-too\'\n';
    const added = missingSecrets(older, secrets);
    expect(added).not.toContain('API_KEYS');
    expect(added).not.toContain('PII_ENCRYPTION_KEY');
    expect(added).toContain(`KAFKA_ADMIN_PASSWORD='${secrets.KAFKA_ADMIN_PASSWORD}'`);
    expect(missingSecrets(envFileText(secrets), secrets)).toBe('');
  });

  it('runs Kafka (KRaft), Postgres, a one-shot topic setup, the five services and a trace viewer they export to', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['aml-trigger', 'audit-log', 'console', 'jaeger', 'kafka', 'kyc-results', 'postgres', 'retention', 'topic-setup', 'webhook-gateway']);
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
    // As the image runs them: NODE_ENV=production, where development secrets are refused.
    const config = loadServiceConfig(cls, name, { ...env, NODE_ENV: 'production' }) as Record<string, unknown>;
    const port = config[portVar];
    expect(svc.ports).toEqual([`${port}:${port}`]);
    expect(svc.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/health/ready`);
    expect(svc.build?.args?.APP).toBe(name);
    expect(svc.depends_on?.['topic-setup']?.condition).toBe('service_completed_successfully');
  });

  it('runs the console against the services by their compose names, with no secret of its own', () => {
    const svc = compose.services.console;
    const env = Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, resolve(v)]));
    const known = new Set(Object.keys(new ConsoleConfig()));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const config = loadServiceConfig(ConsoleConfig, 'console', { ...env, NODE_ENV: 'production' }) as unknown as Record<string, unknown>;
    expect(config).toMatchObject({ GATEWAY_URL: 'http://webhook-gateway:3000', KYC_RESULTS_URL: 'http://kyc-results:3001', AML_TRIGGER_URL: 'http://aml-trigger:3002', RETENTION_URL: 'http://retention:3003', AUDIT_LOG_URL: 'http://audit-log:3004' });
    expect(svc.ports).toEqual([`${config.CONSOLE_PORT}:${config.CONSOLE_PORT}`]);
    expect(svc.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${config.CONSOLE_PORT}/health/ready`);
    expect(svc.build?.args?.APP).toBe('console');
    expect(Object.values(svc.environment ?? {}).join(' ')).not.toContain(':?');
    // With docker-compose.sasl.yml it logs in as itself, with the password the broker creates for it.
    const sasl = Object.fromEntries(Object.entries(withSasl.services.console.environment ?? {}).map(([k, v]) => [k, resolve(v)]));
    expect(loadServiceConfig(ConsoleConfig, 'console', { ...sasl, NODE_ENV: 'production' })).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'console', KAFKA_SASL_PASSWORD: ENV_FILE.KAFKA_PASSWORD_CONSOLE });
    expect(withSasl.services.kafka.environment?.KAFKA_PASSWORD_CONSOLE).toBe('${KAFKA_PASSWORD_CONSOLE:?run npm run secrets (writes .env)}');
    expect(readFileSync(join(ROOT, 'tools/compose/kafka-sasl.sh'), 'utf8')).toMatch(/SERVICES=\([^)]*\bconsole\b/);
  });

  it.each(SERVICES.map((s) => [s.name] as const))('%s with docker-compose.sasl.yml: logs in to Kafka as itself with its own password, and the config validates', (name) => {
    const env = Object.fromEntries(Object.entries(withSasl.services[name].environment ?? {}).map(([k, v]) => [k, onHost(resolve(v))]));
    const config = loadServiceConfig(CONFIGS[name], name, { ...env, NODE_ENV: 'production' }) as Record<string, unknown>;
    expect(config).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: name });
    const passwordVar = `KAFKA_PASSWORD_${name.toUpperCase().replace(/-/g, '_')}`;
    expect(config.KAFKA_SASL_PASSWORD).toBe(ENV_FILE[passwordVar]);
    // The broker creates exactly this credential for the service.
    expect(withSasl.services.kafka.environment?.[passwordVar]).toBe(`\${${passwordVar}:?run npm run secrets (writes .env)}`);
  });

  it('with docker-compose.sasl.yml: the broker runs the SASL script and the topic setup grants the ACLs as admin', () => {
    expect(withSasl.services.kafka.entrypoint).toEqual(['/bin/bash', '/compose/kafka-sasl.sh']);
    expect(withSasl.services.kafka.volumes).toContain('./tools/compose/kafka-sasl.sh:/compose/kafka-sasl.sh:ro');
    expect(withSasl.services.kafka.healthcheck?.test.join(' ')).toContain('--command-config');
    const setup = Object.fromEntries(Object.entries(withSasl.services['topic-setup'].environment ?? {}).map(([k, v]) => [k, resolve(v)]));
    expect(setup).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'admin', KAFKA_SASL_PASSWORD: ENV_FILE.KAFKA_ADMIN_PASSWORD, KAFKA_APPLY_ACLS: 'true' });
  });
});

describe('docker-compose.cluster.yml: three brokers', () => {
  const env = (name: string) => withCluster.services[name].environment ?? {};

  it('runs three KRaft nodes, each broker and controller, all three voters of one quorum formatted with one cluster id', () => {
    expect(Object.keys(withCluster.services).filter((n) => n.startsWith('kafka')).sort()).toEqual(CLUSTER_BROKERS);
    const voters = CLUSTER_BROKERS.map((name) => `${env(name).KAFKA_NODE_ID}@${name}:9093`).sort();
    expect(new Set(CLUSTER_BROKERS.map((name) => env(name).KAFKA_NODE_ID))).toEqual(new Set(['1', '2', '3']));
    for (const name of CLUSTER_BROKERS) {
      const svc = withCluster.services[name];
      expect(svc.image).toBe('apache/kafka:3.9.1');
      expect(env(name).KAFKA_PROCESS_ROLES).toBe('broker,controller');
      expect(env(name).KAFKA_CONTROLLER_QUORUM_VOTERS.split(',').sort()).toEqual(voters);
      expect(env(name).KAFKA_LISTENERS).toBe('PLAINTEXT://:9092,CONTROLLER://:9093');
      expect(env(name).KAFKA_ADVERTISED_LISTENERS).toBe(`PLAINTEXT://${name}:9092`);
      expect(svc.healthcheck?.test.join(' ')).toContain('--bootstrap-server localhost:9092');
    }
    const ids = new Set(CLUSTER_BROKERS.map((name) => env(name).CLUSTER_ID));
    expect(ids.size).toBe(1);
    // A Kafka cluster id is a UUID in unpadded base64url: 22 characters, 16 bytes.
    const [id] = [...ids];
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('replicates three times with min.insync.replicas 2 and no unclean election, as the local launcher does', () => {
    const expected = { default_replication_factor: '3', min_insync_replicas: '2', offsets_topic_replication_factor: '3', transaction_state_log_replication_factor: '3', transaction_state_log_min_isr: '2', unclean_leader_election_enable: 'false' };
    const launcher = replicationSettings(3);
    for (const name of CLUSTER_BROKERS) {
      for (const [key, value] of Object.entries(expected)) {
        expect([key, env(name)[`KAFKA_${key.toUpperCase()}`]]).toEqual([key, value]);
        expect([key, String(launcher[key.replace(/_/g, '.')])]).toEqual([key, value]);
      }
    }
  });

  it.each([...SERVICES.map((s) => s.name), 'console', 'topic-setup'])('%s bootstraps from all three brokers and starts once all three are healthy', (name) => {
    expect(resolve(env(name).KAFKA_BROKERS).split(',').sort()).toEqual(CLUSTER_BROKERS.map((b) => `${b}:9092`).sort());
    for (const broker of CLUSTER_BROKERS) expect(withCluster.services[name].depends_on?.[broker]?.condition).toBe('service_healthy');
    if (CONFIGS[name]) {
      const vars = Object.fromEntries(Object.entries(env(name)).map(([k, v]) => [k, onHost(resolve(v))]));
      expect(loadServiceConfig(CONFIGS[name], name, { ...vars, NODE_ENV: 'production' })).toMatchObject({ KAFKA_BROKERS: env(name).KAFKA_BROKERS });
    }
  });

  it('creates the topics with three replicas', () => {
    expect(env('topic-setup').KAFKA_REPLICATION_FACTOR).toBe('3');
  });
});
