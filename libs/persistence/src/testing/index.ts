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

/** A statement as Postgres got it: its text (a prepared statement's too) and its parameters. */
export interface WatchedStatement {
  text: string;
  values?: unknown[];
}

/** One transaction of one connection: every statement from START TRANSACTION (or BEGIN) to COMMIT or ROLLBACK, both included. */
export interface WatchedTransaction {
  /** The `pg` client it ran on. */
  connection: object;
  statements: WatchedStatement[];
  /** How it ended; undefined while it is open. */
  end?: 'COMMIT' | 'ROLLBACK';
}

const BEGIN = /^\s*(START TRANSACTION|BEGIN)\b/i;
const END = /^\s*(COMMIT|ROLLBACK)\b/i;

/**
 * Watches what this process sends to Postgres through `pg`, whoever sends it (TypeORM's query
 * runners, a pool, prepared statements), grouped per connection into transactions. Statements
 * outside a transaction are not kept. `stop` puts `pg` back.
 */
export function watchTransactions(): { transactions(): WatchedTransaction[]; reset(): void; stop(): void } {
  const seen: WatchedTransaction[] = [];
  const open = new WeakMap<object, WatchedTransaction>();
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: object, ...args: unknown[]) {
    const [first, second] = args;
    const config = typeof first === 'string' ? { text: first, values: Array.isArray(second) ? second : undefined } : (first as { text?: string; values?: unknown[] } | undefined);
    const text = config?.text;
    if (typeof text === 'string') {
      const statement = { text: text.replace(/\s+/g, ' ').trim(), values: Array.isArray(second) ? second : config?.values };
      if (BEGIN.test(text)) {
        const tx: WatchedTransaction = { connection: this, statements: [statement] };
        open.set(this, tx);
        seen.push(tx);
      } else {
        const tx = open.get(this);
        tx?.statements.push(statement);
        if (tx && END.test(text)) {
          tx.end = /^\s*COMMIT/i.test(text) ? 'COMMIT' : 'ROLLBACK';
          open.delete(this);
        }
      }
    }
    return original.apply(this, args);
  };
  return {
    transactions: () => [...seen],
    reset: () => void seen.splice(0),
    stop: () => void (proto.query = original),
  };
}
