import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { buildApp } from '../build/build-app';
import { requireGraph } from '../build/requires';

/**
 * What an app's image runs: every file reachable through `require` from its `main.js`. Test code
 * must not be among them, and an app's own build must name every package it needs, and only those.
 */
const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist');
const APPS = readdirSync(join(ROOT, 'apps'));
const TEST_CODE = /(^|\/)libs\/testing\/|^tools\/|\/(test|testing)\/|\.spec\.js$/;
const TEST_PACKAGES = ['@compliance/testing', '@nestjs/testing', 'jest', 'ts-jest', 'testcontainers', 'fast-check', 'cloudevents'];

describe('the workspace build of each app holds no test code', () => {
  it.each(APPS)('%s: nothing reachable from main.js is test code', (app) => {
    const { files, packages } = requireGraph(join(DIST, 'apps', app, 'src', 'main.js'));
    const built = files.map((f) => relative(DIST, f));
    expect(built.length).toBeGreaterThan(20);
    expect(built.filter((f) => TEST_CODE.test(f))).toEqual([]);
    expect(packages.filter((p) => TEST_PACKAGES.includes(p))).toEqual([]);
  });
});

describe("an app's own build (nx build <app>) runs on its own", () => {
  const out = mkdtempSync(join(tmpdir(), 'app-build-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('compiles the app and its libraries only, and names exactly the packages it requires, pinned', () => {
    const built = buildApp('aml-trigger', out);
    const { files, packages } = requireGraph(join(out, built.main));
    const relativeFiles = files.map((f) => relative(out, f));
    expect(relativeFiles.filter((f) => TEST_CODE.test(f))).toEqual([]);
    // Only the libraries aml-trigger uses: the screening engine yes, no other app.
    expect(relativeFiles.some((f) => f.startsWith('libs/screening/'))).toBe(true);
    expect(relativeFiles.filter((f) => f.startsWith('apps/') && !f.startsWith('apps/aml-trigger/'))).toEqual([]);

    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(manifest.main).toBe('apps/aml-trigger/src/main.js');
    for (const p of packages) expect(manifest.dependencies).toHaveProperty([p]);
    for (const [name, version] of Object.entries(manifest.dependencies)) {
      expect(root.dependencies).toHaveProperty([name]);
      expect(version).toMatch(/^\d+\.\d+\.\d+/);
    }
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['@nestjs/core', 'kafkajs', 'pg', 'any-ascii', 'class-validator']));
    expect(Object.keys(manifest.dependencies).filter((p) => TEST_PACKAGES.includes(p) || root.devDependencies[p])).toEqual([]);
  });

  it('holds what the image and compose run: the main file the Dockerfile starts and the topic setup command', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('tools/build/build-app.ts ${APP}');
    const cmd = /CMD \[.*node \$NODE_SERVICE_ARGS ([^"]+)"\]/.exec(dockerfile)?.[1];
    expect(cmd?.replace('${APP}', 'aml-trigger')).toBe('apps/aml-trigger/src/main.js');
    expect(existsSync(join(out, cmd!.replace('${APP}', 'aml-trigger')))).toBe(true);
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { command?: string[] }> };
    const setup = compose.services['topic-setup'].command!;
    expect(setup[0]).toBe('node');
    expect(existsSync(join(out, setup[1]))).toBe(true);
  });
});
