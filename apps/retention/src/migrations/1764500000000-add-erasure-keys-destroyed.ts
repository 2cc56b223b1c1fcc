import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crypto-shredding: how many data keys an erasure destroyed when it was dispatched (null: no keyring
 * configured then), for the erasure report.
 */
export class AddErasureKeysDestroyed1764500000000 implements MigrationInterface {
  name = 'AddErasureKeysDestroyed1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE erasure_requests ADD COLUMN keys_destroyed integer');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE erasure_requests DROP COLUMN keys_destroyed');
  }
}
