import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The boundary rule needs Nx's project graph; computing it once makes the rule bite outside `nx lint`. */
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
    cwd: ROOT,
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    stdio: 'pipe',
  });
});

/** Lints `code` as if it were at `filePath`, with the ESLint CLI (its config loader needs a plain Node process). */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  let out: string;
  try {
    out = execFileSync(process.execPath, [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', filePath], {
      cwd: ROOT,
      input: code,
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
      encoding: 'utf8',
    });
  } catch (err) {
    out = (err as { stdout: string }).stdout; // exit code 1 = lint errors found
  }
  const [result] = JSON.parse(out) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('Nx module boundaries', () => {
  it('fail the lint when an app imports another app', async () => {
    const errors = await boundaryErrors('apps/retention/src/leak.ts', "import { SCHEMA } from '../../kyc-results/src/app.module';\nexport const s = SCHEMA;\n");
    expect(errors).toHaveLength(1);
  });

  it('fail the lint when the contracts lib depends on a lib its tags do not allow', async () => {
    const errors = await boundaryErrors('libs/contracts/src/leak.ts', "import * as screening from '@compliance/screening';\nexport const s = screening;\n");
    expect(errors.join(' ')).toMatch(/type:contracts/);
  });

  it('let an app import libs through their public API', async () => {
    const errors = await boundaryErrors('apps/retention/src/ok.ts', "import { Topics } from '@compliance/contracts';\nexport const t = Topics;\n");
    expect(errors).toEqual([]);
  });
});
