import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/** One consumer transaction as seen by the database: the events it claimed and what it ran. */
export interface ConsumerTransaction {
  events: number;
  /** Every statement between START TRANSACTION and COMMIT, both excluded. */
  statements: string[];
}

/**
 * Counts the SQL statements of the consumer's transactions in this process (the app runs in the test
 * process): every statement a query runner sends between START TRANSACTION and COMMIT, kept for the
 * transactions that claim events in the inbox. The relay and HTTP reads do not claim events, so
 * they are left out.
 */
export function countConsumerStatements() {
  const open = new Map<object, string[]>();
  const committed: ConsumerTransaction[] = [];
  const claimed = new Map<object, number>();
  const original = PostgresQueryRunner.prototype.query;
  const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(async function (this: PostgresQueryRunner, sql: string, params?: unknown[], structured?: boolean) {
    const text = sql.trim();
    if (text === 'START TRANSACTION') open.set(this, []);
    else if (text === 'COMMIT') {
      const statements = open.get(this) ?? [];
      open.delete(this);
      const claim = statements.findIndex((s) => s.startsWith('INSERT INTO inbox'));
      if (claim >= 0) committed.push({ events: claimed.get(this) ?? 0, statements });
      claimed.delete(this);
    } else if (text === 'ROLLBACK') {
      open.delete(this);
      claimed.delete(this);
    } else {
      open.get(this)?.push(text.replace(/\s+/g, ' '));
      if (text.startsWith('INSERT INTO inbox')) claimed.set(this, (params?.[1] as unknown[]).length);
    }
    return original.call(this, sql, params, structured as never);
  } as typeof original);
  return {
    transactions: () => [...committed],
    restore: () => spy.mockRestore(),
  };
}

/** Statements per kind: what they write (`INSERT outbox`, `UPDATE verification_sessions`) or, for reads, the first table read. */
export function statementKinds(transactions: ConsumerTransaction[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  const table = '(?:"?\\w+"?\\.)?"?(\\w+)"?';
  for (const s of transactions.flatMap((t) => t.statements)) {
    const write = /^SELECT\b/i.test(s) ? null : new RegExp(`\\b(INSERT INTO|UPDATE|DELETE FROM)\\s+${table}`, 'i').exec(s);
    const read = new RegExp(`\\bFROM\\s+${table}`, 'i').exec(s);
    const kind = write ? `${write[1].split(' ')[0].toUpperCase()} ${write[2]}` : `SELECT ${read?.[1] ?? '?'}`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}
