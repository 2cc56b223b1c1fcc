import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testRunId } from './topic-cleanup';

/** A test database's name: the label, the run's id and a random part (`t_<label>_<run id><8 hex>`). */
export function testDatabaseName(label: string, runId = testRunId()): string {
  return `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 20)}_${runId}${randomBytes(4).toString('hex')}`;
}

/** The databases one run's test files created, never another run's or a deployment's own. */
export const testDatabasesOfRun = (runId: string): RegExp => new RegExp(`^t_[a-z0-9_]{0,20}_${runId}[0-9a-f]{8}$`);

/**
 * Drops the databases the run's test files created, so a long-lived Postgres does not collect a
 * database per test file run after run. Returns how many went.
 */
export async function dropTestDatabases(databaseUrl: string, runId: string): Promise<number> {
  // Through the maintenance database: the suite's own database may not exist on a fresh machine.
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const ofRun = testDatabasesOfRun(runId);
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'");
    const mine = rows.map((r) => r.datname).filter((name) => ofRun.test(name));
    // FORCE: a service a test killed may have left a connection behind.
    for (const name of mine) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    return mine.length;
  } finally {
    await client.end();
  }
}
