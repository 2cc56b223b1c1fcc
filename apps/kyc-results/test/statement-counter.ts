import { watchTransactions } from '@compliance/persistence/testing';

/** One consumer transaction as seen by the database: the events it claimed and what it ran. */
export interface ConsumerTransaction {
  events: number;
  /** Every statement between START TRANSACTION and COMMIT, both excluded. */
  statements: string[];
}

const INBOX = /^INSERT INTO inbox\b/;

/**
 * Counts the SQL statements of the consumer's transactions in this process (the app runs in the test
 * process): every statement sent between START TRANSACTION and COMMIT, prepared ones included, kept
 * for the committed transactions that claim events in the inbox. The relay and HTTP reads do not
 * claim events, so they are left out.
 */
export function countConsumerStatements() {
  const watch = watchTransactions();
  return {
    transactions: (): ConsumerTransaction[] =>
      watch
        .transactions()
        .filter((t) => t.end === 'COMMIT')
        .map((t) => t.statements.slice(1, -1))
        .filter((statements) => statements.some((s) => INBOX.test(s.text)))
        .map((statements) => ({ events: (statements.find((s) => INBOX.test(s.text))?.values?.[1] as unknown[]).length, statements: statements.map((s) => s.text) })),
    restore: () => watch.stop(),
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
