/**
 * Builds one app into a self-contained directory, `dist/deploy/<app>`: the app and the libraries it
 * uses compiled (no test code), the topic setup command every deployment runs once
 * (`libs/messaging/src/cli/setup-topics.js`), and a package.json that names exactly the packages they
 * need, at the versions installed here, so an image holds one app and its own dependencies
 * (`npm install --omit=dev` next to it). Usage: tsx tools/build/build-app.ts <app> [--out DIR]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { requireGraph } from './requires';

const ROOT = resolve(__dirname, '..', '..');
/** Built into every app's output besides its main.js. */
const SETUP_TOPICS = join('libs', 'messaging', 'src', 'cli', 'setup-topics');

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  engines?: Record<string, string>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const installed = (name: string): PackageJson => readJson(join(ROOT, 'node_modules', name, 'package.json'));

export interface BuiltApp {
  outDir: string;
  main: string;
  dependencies: Record<string, string>;
}

export function buildApp(app: string, outDir = join(ROOT, 'dist', 'deploy', app)): BuiltApp {
  const project = join(ROOT, 'apps', app);
  if (!existsSync(join(project, 'src', 'main.ts'))) throw new Error(`no app named ${app}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const tsconfig = join(outDir, 'tsconfig.app.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: relative(outDir, join(ROOT, 'tsconfig.base.json')),
      compilerOptions: { rootDir: relative(outDir, ROOT), outDir: '.', types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')], noEmit: false },
      files: [relative(outDir, join(project, 'src', 'main.ts')), relative(outDir, join(ROOT, `${SETUP_TOPICS}.ts`))],
    }),
  );
  const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
  execFileSync(bin('tsc'), ['-p', tsconfig], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(bin('tsc-alias'), ['-p', tsconfig], { cwd: ROOT, stdio: 'inherit' });
  rmSync(tsconfig);

  const main = join('apps', app, 'src', 'main.js');
  const root = readJson<PackageJson>(join(ROOT, 'package.json'));
  const runtime = root.dependencies ?? {};
  const packages = [main, `${SETUP_TOPICS}.js`].flatMap((entry) => requireGraph(join(outDir, entry)).packages);
  const needed = new Set<string>();
  const add = (name: string) => {
    if (needed.has(name)) return;
    if (!runtime[name]) throw new Error(`${app} requires ${name}, which is not a runtime dependency in package.json`);
    needed.add(name);
    // Peers a package loads on demand (class-validator for Nest's ValidationPipe, …), when the suite has them.
    for (const peer of Object.keys(installed(name).peerDependencies ?? {})) if (runtime[peer]) add(peer);
  };
  packages.forEach(add);
  const dependencies = Object.fromEntries([...needed].sort().map((name) => [name, installed(name).version]));
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify(
      {
        name: `@compliance/${app}`,
        version: root.version,
        private: true,
        description: `The ${app} service of the compliance flow, built to run on its own.`,
        main,
        engines: root.engines,
        scripts: { start: `node --max-semi-space-size=64 ${main}`, topics: `node ${SETUP_TOPICS}.js` },
        dependencies,
      },
      null,
      2,
    )}\n`,
  );
  return { outDir, main, dependencies };
}

if (require.main === module) {
  const [app, flag, dir] = process.argv.slice(2);
  if (!app) {
    process.stderr.write('usage: tsx tools/build/build-app.ts <app> [--out DIR]\n');
    process.exit(64);
  }
  const built = buildApp(app, flag === '--out' && dir ? resolve(dir) : undefined);
  process.stdout.write(`${app}: ${relative(ROOT, built.outDir)} (${Object.keys(built.dependencies).length} packages)\n`);
}
