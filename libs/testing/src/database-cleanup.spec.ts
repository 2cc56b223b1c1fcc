import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { dropTestDatabases, testDatabaseName, testDatabasesOfRun } from './database-cleanup';

const URL_ = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/compliance';

async function onServer<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  // The maintenance database: the suite's own may not exist yet on a fresh machine.
  const client = new Client({ connectionString: URL_.replace(/\/[^/]*$/, '/postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
const exists = (name: string) => onServer(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

describe('test database clean-up', () => {
  it("names a run's databases so that only that run's match", () => {
    const name = testDatabaseName('Gw Ledger!', 'a1b2c3');
    expect(name).toMatch(/^t_gw_ledger__a1b2c3[0-9a-f]{8}$/);
    expect(testDatabasesOfRun('a1b2c3').test(name)).toBe(true);
    expect(testDatabasesOfRun('d4e5f6').test(name)).toBe(false);
    expect(testDatabasesOfRun('a1b2c3').test('compliance')).toBe(false);
  });

  it("drops the run's databases and leaves another run's alone", async () => {
    const run = randomBytes(3).toString('hex');
    const other = randomBytes(3).toString('hex');
    const mine = [testDatabaseName('cleanup', run), testDatabaseName('cleanup', run)];
    const theirs = testDatabaseName('cleanup', other);
    await onServer(async (c) => {
      for (const name of [...mine, theirs]) await c.query(`CREATE DATABASE "${name}"`);
    });
    // A connection left open, as a killed service leaves one: FORCE still drops the database.
    const lingering = new Client({ connectionString: URL_.replace(/\/[^/]*$/, `/${mine[0]}`) });
    await lingering.connect();
    lingering.on('error', () => undefined);
    try {
      expect(await dropTestDatabases(URL_, run)).toBe(2);
      expect(await exists(mine[0])).toBe(false);
      expect(await exists(mine[1])).toBe(false);
      expect(await exists(theirs)).toBe(true);
    } finally {
      await lingering.end().catch(() => undefined);
      await onServer((c) => c.query(`DROP DATABASE IF EXISTS "${theirs}" WITH (FORCE)`));
    }
  });
});
