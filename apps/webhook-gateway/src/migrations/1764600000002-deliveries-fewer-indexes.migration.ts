import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two of the six indexes every claim writes are not needed:
 * - `UNIQUE (source, fingerprint)`: the event id is derived from exactly (source, fingerprint)
 *   (`webhookEventId`), so the primary key already refuses a second claim of the same content, and
 *   duplicates are found by event id;
 * - the B-tree on `received_at`, used only by the retention purge's range delete: rows arrive in
 *   `received_at` order, which a BRIN index summarises per block range at almost no cost per insert.
 */
export class DeliveriesFewerIndexes1764600000002 implements MigrationInterface {
  name = 'DeliveriesFewerIndexes1764600000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE deliveries DROP CONSTRAINT deliveries_content_once');
    await q.query('DROP INDEX deliveries_received_at');
    await q.query('CREATE INDEX deliveries_received_at ON deliveries USING brin (received_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX deliveries_received_at');
    await q.query('CREATE INDEX deliveries_received_at ON deliveries (received_at)');
    await q.query('ALTER TABLE deliveries ADD CONSTRAINT deliveries_content_once UNIQUE (source, fingerprint)');
  }
}
