/**
 * The rendered manifests against the code: each returns the problems it finds (empty when none), so
 * a test can also show that it catches a broken manifest.
 */
import { join } from 'node:path';
import { CONSUMED_TOPICS, CONSUMER_GROUPS } from '@compliance/contracts';
import { loadServiceConfig } from '@compliance/platform';
import { byKind, find, generated, ROOT, type K8sObject } from './render';
import { routesOf } from './routes';
import { CPU_SCALED, type DeployedService } from './services';
import { podSpecOf } from './validate';

export interface ResolvedEnv {
  env: Record<string, string>;
  problems: string[];
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** The environment a workload's (first) container gets, from its ConfigMaps, Secret and literals. */
export function containerEnv(objects: K8sObject[], workload: K8sObject): ResolvedEnv {
  const container = podSpecOf(workload)?.containers?.[0] ?? {};
  const env: Record<string, string> = {};
  const problems: string[] = [];
  const lookup = (kind: 'ConfigMap' | 'Secret', name: string, key: string, optional: boolean, variable: string) => {
    const source = objects.find((o) => o.kind === kind && o.metadata.name === name);
    const value = source?.data?.[key] as string | undefined;
    if (value !== undefined) env[variable] = kind === 'Secret' ? decode(value) : value;
    else if (!optional) problems.push(`${workload.metadata.name}: ${variable} needs ${kind} ${name} key ${key}, which is missing`);
  };
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name ?? from.secretRef?.name;
    const source = objects.find((o) => o.kind === (from.configMapRef ? 'ConfigMap' : 'Secret') && o.metadata.name === name);
    if (!source) problems.push(`${workload.metadata.name}: envFrom ${name} is not in the overlay`);
    for (const [k, v] of Object.entries<string>(source?.data ?? {})) env[k] = from.secretRef ? decode(v) : v;
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const cm = e.valueFrom?.configMapKeyRef;
    const secret = e.valueFrom?.secretKeyRef;
    if (cm) lookup('ConfigMap', cm.name, cm.key, cm.optional === true, e.name);
    if (secret) lookup('Secret', secret.name, secret.key, secret.optional === true, e.name);
  }
  return { env, problems };
}

/** Variables the config class does not read (the standard OTEL_* ones go to the OpenTelemetry SDK). */
export function unknownVariables(names: string[], configClass: new () => object): string[] {
  const known = new Set(Object.keys(new configClass()));
  return names.filter((n) => !known.has(n) && !n.startsWith('OTEL_'));
}

/** The image's WORKDIR /app holds what the repository root holds (data/ included). */
const onHost = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/^\/app\//, `${ROOT}/`)]));

/** Variables, config validation (as the image runs it), ports, Service and probes of one service. */
export function serviceProblems(objects: K8sObject[], svc: DeployedService): string[] {
  const deployment = find(objects, 'Deployment', svc.name);
  const container = podSpecOf(deployment).containers[0];
  const { env, problems } = containerEnv(objects, deployment);
  problems.push(...unknownVariables(Object.keys(env), svc.configClass).map((v) => `${svc.name}: ${v} is not a variable of ${svc.configClass.name}`));
  let config: Record<string, unknown> = {};
  try {
    config = loadServiceConfig(svc.configClass, svc.name, onHost(env)) as Record<string, unknown>;
  } catch (err) {
    return [...problems, `${svc.name}: ${(err as Error).message}`];
  }
  const port = container.ports?.find((p: { name?: string }) => p.name === 'http')?.containerPort;
  const defaultPort = new svc.configClass()[svc.portVar];
  if (port !== config[svc.portVar] || port !== defaultPort) problems.push(`${svc.name}: containerPort ${port}, ${svc.portVar} ${config[svc.portVar]}, default ${defaultPort}`);
  const service = find(objects, 'Service', svc.name);
  const labels = deployment.spec.template.metadata.labels ?? {};
  if (!Object.entries(service.spec.selector ?? {}).every(([k, v]) => labels[k] === v)) problems.push(`${svc.name}: the Service does not select the Deployment's pods`);
  const servicePort = service.spec.ports?.[0];
  if (servicePort?.port !== port || servicePort?.targetPort !== 'http') problems.push(`${svc.name}: the Service forwards ${servicePort?.port} to ${servicePort?.targetPort}`);
  const routes = routesOf(svc.module(config as never));
  const probes = { startupProbe: '/health/live', livenessProbe: '/health/live', readinessProbe: '/health/ready' } as const;
  for (const [probe, path] of Object.entries(probes)) {
    const get = container[probe]?.httpGet;
    if (get?.path !== path || get?.port !== 'http') problems.push(`${svc.name}: ${probe} is not GET ${path} on the http port`);
    if (get && !routes.includes(`GET ${get.path}`)) problems.push(`${svc.name}: ${probe} calls ${get.path}, which the app does not serve`);
  }
  return problems;
}

const quantity = (q: string | number): number => {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi)?$/.exec(String(q));
  if (!m) return NaN;
  const scale: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
};

/** The restricted Pod Security Standard and what a graceful drain and a fair scheduler need. */
export function podProblems(workload: K8sObject): string[] {
  const name = `${workload.kind} ${workload.metadata.name}`;
  const pod = podSpecOf(workload);
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => ok || problems.push(`${name}: ${what}`);
  need(pod.securityContext?.runAsNonRoot === true && pod.securityContext?.runAsUser > 0, 'runs as a numeric non-root user (the image says USER node, which the kubelet cannot check)');
  need(pod.securityContext?.seccompProfile?.type === 'RuntimeDefault', 'has the RuntimeDefault seccomp profile');
  need(pod.enableServiceLinks === false, 'sets enableServiceLinks: false (service links would set RETENTION_PORT=tcp://… and the like)');
  need(pod.automountServiceAccountToken === false, 'mounts no service account token (nothing here calls the API server)');
  for (const c of pod.containers ?? []) {
    need(c.securityContext?.allowPrivilegeEscalation === false, `${c.name} forbids privilege escalation`);
    need(c.securityContext?.readOnlyRootFilesystem === true, `${c.name} has a read-only root filesystem`);
    need(JSON.stringify(c.securityContext?.capabilities?.drop) === '["ALL"]', `${c.name} drops all capabilities`);
    const tmp = (c.volumeMounts ?? []).find((m: { mountPath: string }) => m.mountPath === '/tmp');
    need(pod.volumes?.some((v: { name: string; emptyDir?: object }) => v.name === tmp?.name && v.emptyDir) === true, `${c.name} has an emptyDir on /tmp`);
    for (const r of ['cpu', 'memory']) {
      const [req, lim] = [c.resources?.requests?.[r], c.resources?.limits?.[r]];
      need(req !== undefined && lim !== undefined && quantity(req) <= quantity(lim), `${c.name} requests ${r} within its limit`);
    }
  }
  if (workload.kind === 'Deployment') {
    const sleep = Number(pod.containers[0].lifecycle?.preStop?.exec?.command?.[1] ?? 0);
    need(sleep > 0, 'sleeps in preStop while endpoints drop the pod');
    need((pod.terminationGracePeriodSeconds ?? 30) >= sleep + 20, 'leaves at least 20 s after preStop for the drain');
  }
  return problems;
}

/** The lowest replica count a Deployment runs at: its autoscaler's floor, else its replicas. */
export function replicaFloor(objects: K8sObject[], deployment: string): number {
  const hpa = byKind(objects, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === deployment);
  const so = byKind(objects, 'ScaledObject').find((s) => s.spec.scaleTargetRef.name === deployment);
  return hpa?.spec.minReplicas ?? so?.spec.minReplicaCount ?? find(objects, 'Deployment', deployment).spec.replicas ?? 1;
}

/** Every consumer group has an autoscaler: KEDA on exactly the topics it reads, or the gateway's CPU. */
export function scalingProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const config = generated(objects, 'ConfigMap', 'compliance-config').data;
  const partitions = Number(generated(objects, 'ConfigMap', 'topic-setup-config').data.KAFKA_PARTITIONS);
  const prefix = config.KAFKA_TOPIC_PREFIX ?? '';
  const scaled = byKind(objects, 'ScaledObject');
  for (const group of CONSUMER_GROUPS) {
    if (group === CPU_SCALED) {
      const hpa = byKind(objects, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === group);
      if (hpa?.spec.metrics?.[0]?.resource?.name !== 'cpu') problems.push(`${group}: no HorizontalPodAutoscaler on CPU`);
      continue;
    }
    const so = scaled.find((s) => s.spec.scaleTargetRef.name === group);
    if (!so) {
      problems.push(`${group}: consumes but has no ScaledObject`);
      continue;
    }
    const triggers: Array<{ type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }> = so.spec.triggers;
    const topics = triggers.map((t) => t.metadata.topic).sort();
    const expected = CONSUMED_TOPICS[group].map((t) => `${prefix}${t}`).sort();
    if (JSON.stringify(topics) !== JSON.stringify(expected)) problems.push(`${group}: triggers on ${topics.join(', ')}; the group reads ${expected.join(', ')}`);
    for (const t of triggers) {
      if (t.type !== 'kafka') problems.push(`${group}: trigger of type ${t.type}`);
      if (t.metadata.consumerGroup !== `${prefix}${group}`) problems.push(`${group}: trigger on consumer group ${t.metadata.consumerGroup}`);
      if (t.metadata.bootstrapServers !== config.KAFKA_BROKERS) problems.push(`${group}: KEDA reads ${t.metadata.bootstrapServers}, the services ${config.KAFKA_BROKERS}`);
      if (!/^[1-9][0-9]*$/.test(t.metadata.lagThreshold ?? '')) problems.push(`${group}: lagThreshold ${t.metadata.lagThreshold}`);
      if (t.metadata.offsetResetPolicy !== 'earliest') problems.push(`${group}: offsetResetPolicy must be earliest, as the consumers start (fromBeginning)`);
      if (!byKind(objects, 'TriggerAuthentication').some((a) => a.metadata.name === t.authenticationRef?.name)) problems.push(`${group}: trigger authentication ${t.authenticationRef?.name} is missing`);
    }
    if (!(so.spec.minReplicaCount >= 1)) problems.push(`${group}: minReplicaCount ${so.spec.minReplicaCount} (a consumer must run to show lag)`);
    if (!(so.spec.maxReplicaCount <= partitions)) problems.push(`${group}: maxReplicaCount ${so.spec.maxReplicaCount} above ${partitions} partitions (the extra replicas would idle)`);
  }
  for (const d of byKind(objects, 'Deployment')) {
    const autoscaled = [...byKind(objects, 'HorizontalPodAutoscaler'), ...scaled].some((a) => a.spec.scaleTargetRef.name === d.metadata.name);
    if (autoscaled && d.spec.replicas !== undefined) problems.push(`${d.metadata.name}: sets replicas, which every apply would reset under its autoscaler`);
  }
  return problems;
}

/** One PodDisruptionBudget per Deployment, selecting its pods and letting one go at a time. */
export function disruptionProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const d of byKind(objects, 'Deployment')) {
    const labels = d.spec.template.metadata.labels;
    const pdbs = byKind(objects, 'PodDisruptionBudget').filter((p) => Object.entries(p.spec.selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
    if (pdbs.length !== 1) problems.push(`${d.metadata.name}: ${pdbs.length} PodDisruptionBudgets select its pods`);
    else if (pdbs[0].spec.maxUnavailable !== 1) problems.push(`${d.metadata.name}: its budget is not maxUnavailable 1`);
  }
  return problems;
}

/** The variables the topic setup command reads (its source), and SASL's through saslFromEnv. */
export function topicSetupVariables(source: string): string[] {
  return [...new Set([...source.matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1]).concat(/saslFromEnv\(process\.env\)/.test(source) ? ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] : []))];
}

export const TOPIC_SETUP_SOURCE = join(ROOT, 'libs', 'messaging', 'src', 'cli', 'setup-topics.ts');
