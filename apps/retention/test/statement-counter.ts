import type { DataSource, QueryRunner } from 'typeorm';

export interface StatementTally {
  /** Consumer transactions seen (those that wrote inbox rows). */
  transactions: number;
  /** Every statement they sent, transaction control and inbox included. */
  total: number;
  /** What the handlers sent: all but START TRANSACTION, COMMIT, ROLLBACK and the inbox INSERT. */
  handlers: number;
}

const CONTROL = /^\s*(START TRANSACTION|BEGIN|COMMIT|ROLLBACK)/i;
const INBOX = /^\s*INSERT INTO inbox\b/i;

/**
 * Counts the SQL statements of the consumer's transactions by wrapping every query runner the
 * DataSource hands out. A transaction counts once it has written inbox rows, so the sweep, the
 * outbox relay and the test's own reads stay out of the figures.
 */
export class StatementCounter {
  private readonly runners: string[][] = [];
  private readonly original: DataSource['createQueryRunner'];

  constructor(private readonly ds: DataSource) {
    this.original = ds.createQueryRunner.bind(ds);
    ds.createQueryRunner = (mode) => this.wrap(this.original(mode));
  }

  tally(): StatementTally {
    const consumer = this.runners.filter((statements) => statements.some((s) => INBOX.test(s)));
    const all = consumer.flat();
    return {
      transactions: consumer.reduce((n, statements) => n + statements.filter((s) => /^\s*(START TRANSACTION|BEGIN)/i.test(s)).length, 0),
      total: all.length,
      handlers: all.filter((s) => !CONTROL.test(s) && !INBOX.test(s)).length,
    };
  }

  /** Statements of the consumer's transactions matching `pattern` (to see what the handlers ran). */
  statements(pattern: RegExp): string[] {
    return this.runners.filter((statements) => statements.some((s) => INBOX.test(s))).flat().filter((s) => pattern.test(s));
  }

  reset(): void {
    this.runners.length = 0;
  }

  detach(): void {
    this.ds.createQueryRunner = this.original;
  }

  private wrap(runner: QueryRunner): QueryRunner {
    const statements: string[] = [];
    this.runners.push(statements);
    const query = runner.query.bind(runner);
    runner.query = ((text: string, ...rest: unknown[]) => {
      statements.push(text);
      return (query as (...args: unknown[]) => Promise<unknown>)(text, ...rest);
    }) as QueryRunner['query'];
    return runner;
  }
}
