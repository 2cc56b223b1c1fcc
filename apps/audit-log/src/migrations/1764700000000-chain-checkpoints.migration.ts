import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each checkpoint signs the one before it (its sequence and hash): the checkpoints form a chain of
 * their own, so a deleted checkpoint row is noticed. Checkpoints signed before this have none.
 */
export class ChainCheckpoints1764700000000 implements MigrationInterface {
  name = 'ChainCheckpoints1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_checkpoint ADD COLUMN previous_sequence bigint, ADD COLUMN previous_hash text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_checkpoint DROP COLUMN previous_sequence, DROP COLUMN previous_hash');
  }
}
