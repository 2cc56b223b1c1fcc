import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/** The statements of the consumer's transactions in a window (those that wrote inbox rows). */
export interface CountedStatements {
  transactions: number;
  /** Every statement but START TRANSACTION / COMMIT / ROLLBACK. */
  work: string[];
  /** How many work statements named each table first (after INSERT INTO / UPDATE / FROM). */
  byTable: Record<string, number>;
}

const CONTROL = /^(START TRANSACTION|COMMIT|ROLLBACK)/i;

/**
 * Counts the SQL statements this process sends to Postgres, per transaction, by wrapping TypeORM's
 * Postgres query runner for a window. Only transactions that claimed inbox rows (consumed events)
 * are reported: the outbox relay's drains, polls and start-up passes are not the consumer's.
 */
export class StatementCounter {
  private readonly transactions: string[][] = [];
  private original?: PostgresQueryRunner['query'];

  start(): this {
    const transactions = this.transactions;
    const open = new WeakMap<PostgresQueryRunner, string[]>();
    const original = PostgresQueryRunner.prototype.query;
    this.original = original;
    PostgresQueryRunner.prototype.query = function (this: PostgresQueryRunner, ...args: Parameters<PostgresQueryRunner['query']>) {
      const sql = String(args[0]).replace(/\s+/g, ' ').trim();
      if (/^START TRANSACTION/i.test(sql)) {
        const statements: string[] = [];
        open.set(this, statements);
        transactions.push(statements);
      }
      open.get(this)?.push(sql);
      if (/^(COMMIT|ROLLBACK)/i.test(sql)) open.delete(this);
      return original.apply(this, args);
    } as PostgresQueryRunner['query'];
    return this;
  }

  stop(): CountedStatements {
    if (this.original) PostgresQueryRunner.prototype.query = this.original;
    const consumed = this.transactions.filter((t) => t.some((s) => /^INSERT INTO inbox/i.test(s)));
    const work = consumed.flat().filter((s) => !CONTROL.test(s));
    const byTable: Record<string, number> = {};
    for (const s of work) {
      const table = /(?:INSERT INTO|UPDATE|FROM)\s+([a-z_]+)/i.exec(s)?.[1] ?? 'other';
      byTable[table] = (byTable[table] ?? 0) + 1;
    }
    return { transactions: consumed.length, work, byTable };
  }
}
