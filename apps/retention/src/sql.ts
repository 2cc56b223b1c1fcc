import type { EntityManager } from 'typeorm';

/** An EntityManager (inside a transaction) or the DataSource: both run raw SQL. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** TypeORM answers UPDATE and DELETE with [rows, affected] (INSERT and SELECT with rows): this gives the rows. */
export async function changedRows<T = Record<string, unknown>>(m: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  const [rows] = await m.query(text, params);
  return rows as T[];
}

/** Serialises work on one subject (erasure requests, holds) across requests and replicas. */
export async function lockSubject(m: EntityManager, subjectRef: string): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`retention-subject:${subjectRef}`]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids: anything else is simply not found (never a database cast error). */
export const isUuid = (value: string): boolean => UUID.test(value);
