import { readFileSync } from 'node:fs';
import { CONSUMER_GROUPS } from '@compliance/contracts';
import { containerEnv, disruptionProblems, podProblems, replicaFloor, scalingProblems, serviceProblems, TOPIC_SETUP_SOURCE, topicSetupVariables, unknownVariables } from './checks';
import { byKind, find, generated, OVERLAYS, renderOverlay, type K8sObject, type OverlayName } from './render';
import { OPTIONAL_SECRET_KEYS, secretsEnv } from './secrets-env';
import { CPU_SCALED, DEPLOYED_SERVICES } from './services';
import { apiServerProblems, schemaProblems, strictProblems, validationProblems } from './validate';

const NAMESPACES: Record<OverlayName, string> = { dev: 'compliance-dev', production: 'compliance' };
const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, [] as K8sObject[]])) as Record<OverlayName, K8sObject[]>;
const workloads = (objects: K8sObject[]) => [...byKind(objects, 'Deployment'), ...byKind(objects, 'Job')];
const clone = (o: K8sObject): K8sObject => structuredClone(o);

beforeAll(() => {
  for (const overlay of OVERLAYS) rendered[overlay] = renderOverlay(overlay);
});

describe.each(OVERLAYS)('deploy/k8s overlay %s', (overlay) => {
  const objects = () => rendered[overlay];

  it('renders with kustomize into objects the Kubernetes and KEDA schemas accept, with no unknown field', () => {
    expect(objects().length).toBeGreaterThan(30);
    expect(validationProblems(objects())).toEqual([]);
  });

  it(`puts every object in namespace ${NAMESPACES[overlay]}, which it creates`, () => {
    const namespaced = objects().filter((o) => o.kind !== 'Namespace');
    expect([...new Set(namespaced.map((o) => o.metadata.namespace))]).toEqual([NAMESPACES[overlay]]);
    expect(byKind(objects(), 'Namespace').map((n) => n.metadata.name)).toEqual([NAMESPACES[overlay]]);
  });

  it('runs one Deployment per service, each with its own image, and the topic setup Job', () => {
    expect(byKind(objects(), 'Deployment').map((d) => d.metadata.name).sort()).toEqual(DEPLOYED_SERVICES.map((s) => s.name).sort());
    for (const { name } of DEPLOYED_SERVICES) expect(find(objects(), 'Deployment', name).spec.template.spec.containers[0].image).toMatch(new RegExp(`^compliance/${name}:[\\w.-]+$`));
    expect(byKind(objects(), 'Job').map((j) => j.metadata.name)).toEqual(['topic-setup']);
  });

  it.each(DEPLOYED_SERVICES.map((s) => [s.name, s] as const))(
    '%s: every variable is one its config class reads, the config validates as the image runs it (NODE_ENV=production), and the port and probes match the code',
    (_, svc) => {
      expect(serviceProblems(objects(), svc)).toEqual([]);
    },
  );

  it('each workload runs non-root on a read-only root filesystem with resources set and a drain before SIGTERM', () => {
    expect(workloads(objects()).flatMap(podProblems)).toEqual([]);
  });

  it('scales every consumer group: KEDA on the lag of exactly the topics it reads, the gateway on CPU', () => {
    expect(scalingProblems(objects())).toEqual([]);
    const scaled = byKind(objects(), 'ScaledObject').map((s) => s.spec.scaleTargetRef.name);
    expect(scaled.sort()).toEqual(CONSUMER_GROUPS.filter((g) => g !== CPU_SCALED).sort());
  });

  it('gives each Deployment a PodDisruptionBudget that lets one pod go at a time', () => {
    expect(disruptionProblems(objects())).toEqual([]);
  });

  it('runs the topic setup command with only the variables it reads', () => {
    const job = find(objects(), 'Job', 'topic-setup');
    expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'libs/messaging/src/cli/setup-topics.js']);
    const { env, problems } = containerEnv(objects(), job);
    expect(problems).toEqual([]);
    const read = topicSetupVariables(readFileSync(TOPIC_SETUP_SOURCE, 'utf8'));
    expect(Object.keys(env).filter((v) => !read.includes(v))).toEqual([]);
    expect(env).toMatchObject({ KAFKA_PARTITIONS: '6', KAFKA_BROKERS: generated(objects(), 'ConfigMap', 'compliance-config').data.KAFKA_BROKERS });
  });

  it('reads from the Secret only keys the secrets env file holds or documents as optional', () => {
    const secret = generated(objects(), 'Secret', 'compliance-secrets');
    const refs = workloads(objects()).flatMap((w) => podSpecEnv(w).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])));
    const required = refs.filter((r) => !r.optional).map((r) => r.key);
    expect(required.filter((k) => !(k in secret.data))).toEqual([]);
    const optional = refs.filter((r) => r.optional).map((r) => r.key);
    expect(optional.filter((k) => !(OPTIONAL_SECRET_KEYS as readonly string[]).includes(k))).toEqual([]);
  });
});

function podSpecEnv(workload: K8sObject): Array<{ name: string; valueFrom?: { secretKeyRef?: { key: string; optional?: boolean } } }> {
  return workload.spec.template.spec.containers.flatMap((c: { env?: unknown[] }) => c.env ?? []);
}

describe('deploy/k8s overlay dev', () => {
  it('runs one replica of each service at rest, autoscaled to two at most', () => {
    const objects = rendered.dev;
    for (const { name } of DEPLOYED_SERVICES) expect([name, replicaFloor(objects, name)]).toEqual([name, 1]);
    for (const so of byKind(objects, 'ScaledObject')) expect(so.spec.maxReplicaCount).toBe(2);
    expect(find(objects, 'HorizontalPodAutoscaler', 'webhook-gateway').spec.maxReplicas).toBe(2);
  });
});

describe('deploy/k8s overlay production', () => {
  const objects = () => rendered.production;

  it('runs at least two replicas of every service, so every PodDisruptionBudget leaves one serving', () => {
    for (const { name } of DEPLOYED_SERVICES) expect([name, replicaFloor(objects(), name) >= 2]).toEqual([name, true]);
  });

  it('spreads each Deployment across zones and nodes, and pins image tags', () => {
    for (const d of byKind(objects(), 'Deployment')) {
      const spread = d.spec.template.spec.topologySpreadConstraints ?? [];
      expect(spread.map((c: { topologyKey: string }) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      for (const c of spread) expect(c.labelSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': d.metadata.name });
      expect(d.spec.template.spec.containers[0].image).not.toMatch(/:latest$/);
    }
  });

  it('logs each service in to Kafka as itself, KEDA as the group it scales, the topic setup as admin granting the ACLs', () => {
    for (const { name } of DEPLOYED_SERVICES) {
      const { env } = containerEnv(objects(), find(objects(), 'Deployment', name));
      expect(env).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: name });
      expect(env.KAFKA_SASL_PASSWORD).toMatch(/^\S{24,}$/);
    }
    for (const auth of byKind(objects(), 'TriggerAuthentication')) {
      expect(auth.spec.secretTargetRef.map((r: { parameter: string }) => r.parameter).sort()).toEqual(['password', 'sasl']);
      expect(auth.spec.env).toEqual([{ parameter: 'username', name: 'KAFKA_SASL_USERNAME', containerName: auth.metadata.name.replace(/-kafka$/, '') }]);
    }
    const { env } = containerEnv(objects(), find(objects(), 'Job', 'topic-setup'));
    expect(env).toMatchObject({ KAFKA_SASL_USERNAME: 'admin', KAFKA_APPLY_ACLS: 'true', KAFKA_REPLICATION_FACTOR: '3' });
  });

  it('serves the webhooks and the console through TLS Ingresses onto existing Services, the console with sticky sessions', () => {
    const ingresses = byKind(objects(), 'Ingress');
    expect(ingresses.map((i) => i.metadata.name).sort()).toEqual(['console', 'webhook-gateway']);
    for (const ingress of ingresses) {
      const hosts = ingress.spec.rules.map((r: { host: string }) => r.host);
      expect(ingress.spec.tls.flatMap((t: { hosts: string[] }) => t.hosts)).toEqual(hosts);
      for (const path of ingress.spec.rules.flatMap((r: { http: { paths: unknown[] } }) => r.http.paths) as Array<{ backend: { service: { name: string; port: { name: string } } } }>) {
        const service = find(objects(), 'Service', path.backend.service.name);
        expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(path.backend.service.port.name);
      }
    }
    expect(find(objects(), 'Ingress', 'webhook-gateway').spec.rules[0].http.paths.map((p: { path: string }) => p.path)).toEqual(['/webhooks']);
    expect(find(objects(), 'Ingress', 'console').metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/affinity': 'cookie' });
    expect(containerEnv(objects(), find(objects(), 'Deployment', 'console')).env.CONSOLE_COOKIE_SECURE).toBe('true');
  });
});

describe('the console reaches each service through its Service', () => {
  it.each(OVERLAYS)('%s', (overlay) => {
    const objects = rendered[overlay];
    const { env } = containerEnv(objects, find(objects, 'Deployment', 'console'));
    for (const svc of DEPLOYED_SERVICES.filter((s) => s.name !== 'console')) {
      const urlVar = `${svc.name === 'webhook-gateway' ? 'GATEWAY' : svc.name.toUpperCase().replace(/-/g, '_')}_URL`;
      expect(env[urlVar]).toBe(`http://${svc.name}:${find(objects, 'Service', svc.name).spec.ports[0].port}`);
    }
  });
});

describe('the validation rejects a broken manifest', () => {
  const deployment = () => clone(find(rendered.dev, 'Deployment', 'kyc-results'));
  const scaledObject = () => clone(find(rendered.dev, 'ScaledObject', 'kyc-results'));

  it('a field of the wrong type (the API schema)', () => {
    const d = deployment();
    d.spec.replicas = 'two';
    d.spec.template.spec.containers[0].ports[0].containerPort = '3001';
    expect(schemaProblems(d).join('\n')).toMatch(/spec\/replicas must be integer/);
    expect(schemaProblems(d).join('\n')).toMatch(/containerPort must be integer/);
  });

  it('a container without an image (optional in the API schema, refused by the API server)', () => {
    const d = deployment();
    delete d.spec.template.spec.containers[0].image;
    expect(schemaProblems(d)).toEqual([]);
    expect(apiServerProblems(d)).toEqual(['Deployment kyc-results: container kyc-results has no image']);
    expect(validationProblems([d])).toContain('Deployment kyc-results: container kyc-results has no image');
  });

  it('a misspelt field, which the API server would drop silently', () => {
    const d = deployment();
    const container = d.spec.template.spec.containers[0];
    container.livenesProbe = container.livenessProbe;
    delete container.livenessProbe;
    expect(schemaProblems(d)).toEqual([]);
    expect(strictProblems([d]).join('\n')).toMatch(/Deployment kyc-results: .*'"livenesProbe"' does not exist/);
  });

  it('a KEDA trigger with a number where the CRD wants a string, and a ScaledObject without triggers', () => {
    const so = scaledObject();
    so.spec.triggers[0].metadata.lagThreshold = 200;
    expect(schemaProblems(so).join('\n')).toMatch(/lagThreshold must be string/);
    delete so.spec.triggers;
    expect(schemaProblems(so).join('\n')).toMatch(/spec must have required property triggers/);
  });

  it('a kind it has no schema for', () => {
    expect(schemaProblems({ apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'old' } })).toEqual(['Deployment old: extensions/v1beta1/Deployment has no schema here']);
  });

  it('a variable the service does not read, and a config the service would refuse at start', () => {
    expect(unknownVariables(['AML_LIST_DIR', 'AML_LISTS_DIR', 'OTEL_SERVICE_NAME'], DEPLOYED_SERVICES[2].configClass)).toEqual(['AML_LIST_DIR']);
    const objects = rendered.dev.map(clone);
    const config = generated(objects, 'ConfigMap', 'aml-trigger-config');
    config.data.AML_LISTS_DIR = '/app/data/watchlists/missing';
    const problems = serviceProblems(objects, DEPLOYED_SERVICES[2]).join('\n');
    expect(problems).toMatch(/AML_LISTS_DIR must be an existing folder/);
  });

  it('a port or probe the app does not have', () => {
    const objects = rendered.dev.map(clone);
    const container = find(objects, 'Deployment', 'audit-log').spec.template.spec.containers[0];
    container.readinessProbe.httpGet.path = '/healthz';
    container.ports[0].containerPort = 8080;
    const problems = serviceProblems(objects, DEPLOYED_SERVICES[4]).join('\n');
    expect(problems).toMatch(/containerPort 8080, AUDIT_LOG_PORT 3004/);
    expect(problems).toMatch(/readinessProbe calls \/healthz, which the app does not serve/);
  });

  it('a ScaledObject on another consumer group or topic, or past the partition count', () => {
    const objects = rendered.dev.map(clone);
    const so = find(objects, 'ScaledObject', 'aml-trigger');
    so.spec.triggers[0].metadata.consumerGroup = 'aml';
    so.spec.triggers[1].metadata.topic = 'kyc.verifications.v2';
    so.spec.maxReplicaCount = 12;
    const problems = scalingProblems(objects).join('\n');
    expect(problems).toMatch(/aml-trigger: trigger on consumer group aml/);
    expect(problems).toMatch(/aml-trigger: triggers on .*kyc\.verifications\.v2/);
    expect(problems).toMatch(/maxReplicaCount 12 above 6 partitions/);
    delete find(objects, 'ScaledObject', 'retention').spec.scaleTargetRef.name;
    expect(scalingProblems(objects).join('\n')).toMatch(/retention: consumes but has no ScaledObject/);
  });

  it('a pod that may run as root or keeps service links', () => {
    const d = deployment();
    delete d.spec.template.spec.securityContext.runAsUser;
    d.spec.template.spec.enableServiceLinks = true;
    expect(podProblems(d)).toEqual([expect.stringMatching(/numeric non-root user/), expect.stringMatching(/enableServiceLinks: false/)]);
  });
});

describe('the secrets env file', () => {
  it('holds every required key as an unquoted value', () => {
    const { entries } = secretsEnv('postgres://u:p@db:5432/c');
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(['DATABASE_URL', 'API_KEYS', 'PII_ENCRYPTION_KEY', 'KEYRING_MASTER_KEY', 'AUDIT_SIGNING_KEY', 'KAFKA_PASSWORD_CONSOLE']));
    for (const value of Object.values(entries)) expect(value).not.toMatch(/^['"]|\n/);
  });
});
