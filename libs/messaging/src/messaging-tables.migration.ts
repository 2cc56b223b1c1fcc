import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inbox and outbox every service needs; each service lists this first in its migrations. */
export class CreateMessagingTables1764100000000 implements MigrationInterface {
  name = 'CreateMessagingTables1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE inbox (
      consumer text NOT NULL,
      event_id text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id))`);
    await q.query(`CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      event_id text NOT NULL,
      topic text NOT NULL,
      key text NOT NULL,
      value text NOT NULL,
      headers jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz)`);
    await q.query('CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL');
    await q.query('CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE outbox');
    await q.query('DROP TABLE inbox');
  }
}

/** Inbox rows by age: the pruner deletes the oldest ones without reading the whole table. */
export class IndexInboxReceivedAt1764100000002 implements MigrationInterface {
  name = 'IndexInboxReceivedAt1764100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX inbox_received_at ON inbox (received_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX inbox_received_at');
  }
}

/**
 * Inbox rows by age through a BRIN index instead of a B-tree: rows arrive in received_at order, so
 * block ranges summarise them, and an inbox row (one per consumed event, the most written row of
 * every consumer) then costs one B-tree insert (its key) instead of two.
 */
export class InboxReceivedAtBrin1764900000000 implements MigrationInterface {
  name = 'InboxReceivedAtBrin1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX IF NOT EXISTS inbox_received_at_brin ON inbox USING brin (received_at)');
    await q.query('DROP INDEX IF EXISTS inbox_received_at');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX IF NOT EXISTS inbox_received_at ON inbox (received_at)');
    await q.query('DROP INDEX IF EXISTS inbox_received_at_brin');
  }
}

/**
 * The outbox's rows are read by the primary key from the relay's floor, and every row is unsent (sent
 * rows are deleted): the partial index on the same column was a second B-tree insert per row. Rows an
 * earlier version marked sent were published and go now. `outbox_sent_at` stays; it holds only rows
 * such a version marks sent, so a new row adds nothing to it.
 */
export class DropOutboxUnsentIndex1765000000000 implements MigrationInterface {
  name = 'DropOutboxUnsentIndex1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM outbox WHERE sent_at IS NOT NULL');
    await q.query('DROP INDEX IF EXISTS outbox_unsent');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (id) WHERE sent_at IS NULL');
  }
}

/** The migrations of the shared tables, in order. */
export const MESSAGING_MIGRATIONS: ReadonlyArray<new () => MigrationInterface> = [
  CreateMessagingTables1764100000000,
  IndexInboxReceivedAt1764100000002,
  InboxReceivedAtBrin1764900000000,
  DropOutboxUnsentIndex1765000000000,
];

/**
 * A service's migrations with every messaging migration: a service lists CreateMessagingTables first,
 * and the later ones of the shared tables come with it, so a change to them needs no edit of every
 * service. Services that list none (a schema without inbox and outbox) are left as they are.
 */
export function withMessagingMigrations(migrations: Array<new () => unknown>): Array<new () => unknown> {
  if (!migrations.includes(CreateMessagingTables1764100000000)) return migrations;
  return [...migrations, ...MESSAGING_MIGRATIONS.filter((m) => !migrations.includes(m))];
}
