/**
 * Validation of rendered objects, in three layers:
 * - the Kubernetes API schemas (and KEDA's CRD schemas), through the validators `kubernetes-models`
 *   and `@kubernetes-models/keda` compile from them: types, required fields, enums, quantities;
 * - unknown fields (what `kubeconform -strict` adds): each object is type-checked by the TypeScript
 *   compiler as an object literal of the same packages' interfaces, whose excess-property check
 *   names any field the schema lacks (a misspelt `livenessProbe` would otherwise be dropped);
 * - what the API server itself validates beyond the OpenAPI schema and this suite needs: a
 *   container image (optional in the schema, for controllers that fill it in).
 */
import { join } from 'node:path';
import * as ts from 'typescript';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ROOT, type K8sObject } from './render';

interface Kind {
  model: new (data: never) => { validate(): void };
  /** The module and interface the strict check types the object with. */
  module: string;
  iface: string;
}

/** Every kind the manifests may hold, by `apiVersion/kind`; anything else is refused (it would go unchecked). */
export const KINDS: Record<string, Kind> = {
  'v1/Namespace': { model: Namespace, module: 'kubernetes-models/v1/Namespace', iface: 'INamespace' },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', iface: 'IConfigMap' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', iface: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', iface: 'IService' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', iface: 'IDeployment' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1/Job', iface: 'IJob' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', iface: 'IPodDisruptionBudget' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler, module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', iface: 'IHorizontalPodAutoscaler' },
  'networking.k8s.io/v1/Ingress': { model: Ingress, module: 'kubernetes-models/networking.k8s.io/v1/Ingress', iface: 'IIngress' },
  'keda.sh/v1alpha1/ScaledObject': { model: ScaledObject, module: '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject', iface: 'IScaledObject' },
  'keda.sh/v1alpha1/TriggerAuthentication': { model: TriggerAuthentication, module: '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication', iface: 'ITriggerAuthentication' },
};

const kindOf = (o: K8sObject): Kind | undefined => KINDS[`${o.apiVersion}/${o.kind}`];
const label = (o: K8sObject) => `${o.kind} ${o.metadata?.name}`;

/**
 * kustomize wraps long base64 values of generated Secrets over several lines; the API server's decoder
 * (Go's encoding/base64) skips line breaks, the validators' `byte` format does not: joined here.
 */
function asTheApiServerReadsIt(o: K8sObject): K8sObject {
  const copy = structuredClone(o);
  if (o.kind === 'Secret' && copy.data) for (const key of Object.keys(copy.data)) copy.data[key] = String(copy.data[key]).replace(/[\r\n]/g, '');
  return copy;
}

/** Schema problems of one object (empty when valid). */
export function schemaProblems(o: K8sObject): string[] {
  const kind = kindOf(o);
  if (!kind) return [`${label(o)}: ${o.apiVersion}/${o.kind} has no schema here`];
  try {
    new kind.model(asTheApiServerReadsIt(o) as never).validate();
    return [];
  } catch (err) {
    return [`${label(o)}: ${(err as Error).message}`];
  }
}

/** Pod templates of the workloads (Deployment, Job). */
export function podSpecOf(o: K8sObject): K8sObject['spec'] | undefined {
  return o.kind === 'Deployment' || o.kind === 'Job' ? o.spec?.template?.spec : undefined;
}

/** What the API server would refuse beyond the schema. */
export function apiServerProblems(o: K8sObject): string[] {
  const pod = podSpecOf(o);
  if (!pod) return [];
  const containers: Array<{ name?: string; image?: unknown }> = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  return containers.filter((c) => typeof c.image !== 'string' || c.image.trim() === '').map((c) => `${label(o)}: container ${c.name} has no image`);
}

const STRICT_FILE = join(ROOT, 'tools', 'k8s', '__rendered_objects__.ts');
const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  target: ts.ScriptTarget.ES2022,
};

/**
 * Unknown or mistyped fields, per object: one in-memory source file declaring each object with its
 * kind's interface, compiled once (about a second for both overlays).
 */
export function strictProblems(objects: K8sObject[]): string[] {
  const known = objects.filter((o) => kindOf(o));
  const starts: number[] = [];
  let line = 0;
  const parts = known.map((o, i) => {
    const kind = kindOf(o) as Kind;
    const text = `import type { ${kind.iface} as T${i} } from '${kind.module}';\nexport const o${i}: T${i} = ${JSON.stringify(o, null, 1)};\n`;
    starts.push(line);
    line += text.split('\n').length - 1;
    return text;
  });
  const source = parts.join('');
  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (file, lang, ...rest) => (file === STRICT_FILE ? ts.createSourceFile(file, source, lang) : getSourceFile.call(host, file, lang, ...rest));
  host.fileExists = (file) => file === STRICT_FILE || fileExists.call(host, file);
  host.readFile = (file) => (file === STRICT_FILE ? source : readFile.call(host, file));
  const program = ts.createProgram([STRICT_FILE], COMPILER_OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file?.fileName !== STRICT_FILE || d.start === undefined) return `strict check: ${message}`;
    const at = d.file.getLineAndCharacterOfPosition(d.start).line;
    let index = 0;
    while (index + 1 < starts.length && starts[index + 1] <= at) index++;
    return `${label(known[index])}: ${message}`;
  });
}

/** Every problem of a set of objects: schema, unknown fields, API server rules. */
export function validationProblems(objects: K8sObject[]): string[] {
  return [...objects.flatMap(schemaProblems), ...strictProblems(objects), ...objects.flatMap(apiServerProblems)];
}
