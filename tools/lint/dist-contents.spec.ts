import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * What an app's image runs: every file reachable through `require` from its `main.js` in `dist`
 * (the build rewrites `@compliance/*` to relative paths). Test code must not be among them.
 */
const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist');
const APPS = readdirSync(join(ROOT, 'apps'));

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
      const base = resolve(dirname(file), spec);
      const target = [base, `${base}.js`, join(base, 'index.js')].find((p) => existsSync(p) && p.endsWith('.js'));
      if (!target) throw new Error(`${relative(ROOT, file)} requires ${spec}, which is not in dist`);
      queue.push(target);
    }
  }
  return seen;
}

describe('the production build of each app holds no test code', () => {
  it.each(APPS)('%s: nothing reachable from main.js is test code', (app) => {
    const main = join(DIST, 'apps', app, 'src', 'main.js');
    expect(existsSync(main)).toBe(true);
    const files = [...reachable(main)].map((f) => relative(DIST, f));
    expect(files.length).toBeGreaterThan(20);
    const testCode = files.filter((f) => /^libs\/testing\/|^tools\/|\/(test|testing)\/|\.spec\.js$/.test(f));
    expect(testCode).toEqual([]);
    // Nor any package that exists for tests only.
    const sources = files.map((f) => readFileSync(join(DIST, f), 'utf8')).join('\n');
    expect(sources).not.toMatch(/require\("(@compliance\/testing|@nestjs\/testing|jest|testcontainers|fast-check)"\)/);
  });
});
