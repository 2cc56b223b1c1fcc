import { Client } from 'pg';
import { testDatabaseName } from '@compliance/testing';
import { DEFAULT_DATABASE_URL, ensureDatabase } from '../database';

/**
 * A fresh database per test file: services create their schemas in it, nothing leaks between files.
 * The run's global teardown drops it.
 */
export async function testDatabaseUrl(label = 'test'): Promise<string> {
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  base.pathname = `/${testDatabaseName(label)}`;
  await ensureDatabase(base.toString());
  return base.toString();
}

/** Runs one SQL statement on a database (test assertions on raw rows). */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
