import type { DataSource } from 'typeorm';
import { assertIdentifier } from './database';

/**
 * Runs the service's migrations under a Postgres advisory lock, so replicas starting together
 * apply them once, one after the other, instead of racing on the same DDL.
 */
export async function runMigrationsLocked(ds: DataSource, schema: string): Promise<string[]> {
  assertIdentifier(schema);
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    // Only when missing: a schema owner running the migrations may not create schemas (IF NOT EXISTS
    // checks the database privilege first).
    const [found] = await runner.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (!found) await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}
