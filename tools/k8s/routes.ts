/**
 * The HTTP routes an app serves, read from its Nest module tree (the metadata its decorators record),
 * without starting it: what a probe path is checked against.
 */
import 'reflect-metadata';
import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';

type ModuleRef = Type<unknown> | DynamicModule | Promise<DynamicModule> | { forwardRef: () => unknown } | undefined;

const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;

function controllersOf(root: ModuleRef, seen = new Set<unknown>()): Array<Type<unknown>> {
  if (!root || root instanceof Promise || seen.has(root)) return [];
  seen.add(root);
  if ('forwardRef' in root) return controllersOf(root.forwardRef() as ModuleRef, seen);
  const dynamic = 'module' in root ? (root as DynamicModule) : undefined;
  const cls = (dynamic?.module ?? root) as Type<unknown>;
  const meta = (key: string) => (Reflect.getMetadata(key, cls) as unknown[] | undefined) ?? [];
  const controllers = [...meta(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])] as Array<Type<unknown>>;
  const imports = [...meta(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])] as ModuleRef[];
  return [...controllers, ...imports.flatMap((m) => controllersOf(m, seen))];
}

/** `GET /health/live`-style routes of every controller the module (and what it imports) declares. */
export function routesOf(root: DynamicModule): string[] {
  const routes = new Set<string>();
  for (const controller of controllersOf(root)) {
    const bases = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || method === undefined) continue;
      for (const base of bases) for (const path of [paths].flat()) routes.add(`${RequestMethod[method]} ${join(base, path)}`);
    }
  }
  return [...routes].sort();
}
