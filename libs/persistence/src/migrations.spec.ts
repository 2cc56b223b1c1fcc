import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql, testDatabaseUrl } from './testing';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

describe('migrations', () => {
  it('started by two processes at once, both succeed and each migration is applied once', async () => {
    const url = await testDatabaseUrl('race');
    const worker = () =>
      run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, 'testing/migrate-worker.ts'), url], { cwd: ROOT });
    const [a, b] = await Promise.all([worker(), worker()]);
    const applied = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    // One process applied both migrations, the other found nothing left to do.
    expect(applied.map((x) => x.length).sort()).toEqual([0, 2]);
    const rows = await sql<{ name: string }>(url, 'SELECT name FROM race.migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(['CreateAccounts1764100000000', 'SlowCreateLedger1764100000009']);
  });
});
