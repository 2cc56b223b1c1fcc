import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

export interface RequireGraph {
  /** Every built file reachable from the entry through relative requires. */
  files: string[];
  /** The packages those files require (`pg`, `@nestjs/core`), without Node's own modules. */
  packages: string[];
}

/**
 * Walks `require("…")` calls from a compiled entry file: what an app runs. Relative requires must
 * resolve to built files (the build rewrites `@compliance/*` to relative paths); anything else is a
 * package.
 */
export function requireGraph(entry: string): RequireGraph {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec);
        const target = [base, `${base}.js`, join(base, 'index.js')].find((p) => p.endsWith('.js') && existsSync(p));
        if (!target) throw new Error(`${relative(process.cwd(), file)} requires ${spec}, which was not built`);
        queue.push(target);
      } else if (!BUILTINS.has(spec)) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
  }
  return { files: [...seen], packages: [...packages].sort() };
}
