import { watchTransactions } from '@compliance/persistence/testing';

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
 * Counts the SQL statements of the consumer's transactions (prepared ones included), as this process
 * sends them to Postgres. A transaction counts once it has written inbox rows, so the sweep, the
 * outbox relay and the test's own reads stay out of the figures.
 */
export class StatementCounter {
  private readonly watch = watchTransactions();

  tally(): StatementTally {
    const consumer = this.consumer();
    const all = consumer.flat();
    return {
      transactions: consumer.length,
      total: all.length,
      handlers: all.filter((s) => !CONTROL.test(s) && !INBOX.test(s)).length,
    };
  }

  /** Statements of the consumer's transactions matching `pattern` (to see what the handlers ran). */
  statements(pattern: RegExp): string[] {
    return this.consumer().flat().filter((s) => pattern.test(s));
  }

  reset(): void {
    this.watch.reset();
  }

  detach(): void {
    this.watch.stop();
  }

  private consumer(): string[][] {
    return this.watch
      .transactions()
      .map((t) => t.statements.map((s) => s.text))
      .filter((statements) => statements.some((s) => INBOX.test(s)));
  }
}
