import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crypto-shredding at rest: the data key (of the subject, else the session) the identity's personal
 * fields are sealed under inside their PII-key encryption; null for identities stored without a keyring.
 */
export class AddIdentityDataKey1764500000000 implements MigrationInterface {
  name = 'AddIdentityDataKey1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE identity_attributes ADD COLUMN data_key_id text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE identity_attributes DROP COLUMN data_key_id');
  }
}
