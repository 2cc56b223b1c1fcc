import { watchTransactions } from '@compliance/persistence/testing';

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
 * Counts the SQL statements this process sends to Postgres, per transaction (prepared ones
 * included), for a window. Only transactions that claimed inbox rows (consumed events)
 * are reported: the outbox relay's drains, polls and start-up passes are not the consumer's.
 */
export class StatementCounter {
  private watch?: ReturnType<typeof watchTransactions>;

  start(): this {
    this.watch = watchTransactions();
    return this;
  }

  stop(): CountedStatements {
    const transactions = this.watch?.transactions() ?? [];
    this.watch?.stop();
    const consumed = transactions.map((t) => t.statements.map((s) => s.text)).filter((t) => t.some((s) => /^INSERT INTO inbox/i.test(s)));
    const work = consumed.flat().filter((s) => !CONTROL.test(s));
    const byTable: Record<string, number> = {};
    for (const s of work) {
      const table = /(?:INSERT INTO|UPDATE|FROM)\s+([a-z_]+)/i.exec(s)?.[1] ?? 'other';
      byTable[table] = (byTable[table] ?? 0) + 1;
    }
    return { transactions: consumed.length, work, byTable };
  }
}
