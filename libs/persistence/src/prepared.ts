import { createHash } from 'node:crypto';

/**
 * A statement the event path runs many times. Run with `runPrepared`, it is a named prepared
 * statement: each connection parses and analyses it once, and every later call only binds and
 * executes it. Sent as plain text instead, Postgres parses every call again; for the suite's
 * batch statements (unnest over arrays, CTEs) that was about a quarter of their time per call.
 * Plans stay custom (Postgres still plans with each call's arrays), so no plan gets worse.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/** Names the statement after its text, so two texts never share a name on a connection. */
export function preparedStatement(text: string): PreparedStatement {
  return { name: `p_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

interface PgClientLike {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

interface RunnerLike {
  isReleased?: boolean;
  connect(): Promise<unknown>;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * The pg connection (or pool) behind a TypeORM handle: an EntityManager's query runner (inside a
 * transaction: its connection), a QueryRunner, or a DataSource's pool. Undefined for anything else.
 */
async function pgTarget(q: unknown): Promise<PgClientLike | undefined> {
  const o = q as any;
  const runner: RunnerLike | undefined = o?.queryRunner ?? (typeof o?.connect === 'function' && 'isReleased' in o ? o : undefined);
  if (runner && !runner.isReleased && typeof runner.connect === 'function' && isPostgres(o?.connection ?? runner)) return (await runner.connect()) as PgClientLike;
  const ds = o?.driver ? o : o?.connection;
  return ds?.isInitialized && isPostgres(ds) && typeof ds.driver.master?.query === 'function' ? (ds.driver.master as PgClientLike) : undefined;
}

function isPostgres(ds: any): boolean {
  return ds?.driver?.options?.type === 'postgres' || ds?.connection?.driver?.options?.type === 'postgres';
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Runs a prepared statement on the connection behind `q` and answers its rows (an UPDATE or DELETE
 * too: rows, never TypeORM's `[rows, count]`). Anything that is not a TypeORM handle of a Postgres
 * connection (a test's wrapper, say) gets the text through its own `query`.
 */
export async function runPrepared<R = any>(q: { query(sql: string, params?: unknown[]): Promise<any> }, statement: PreparedStatement, params: unknown[]): Promise<R[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const target = await pgTarget(q);
  if (!target) {
    const result = await q.query(statement.text, params);
    // TypeORM answers an UPDATE or DELETE as [rows, count].
    return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result;
  }
  const { rows } = await target.query({ name: statement.name, text: statement.text, values: params });
  return rows as R[];
}
