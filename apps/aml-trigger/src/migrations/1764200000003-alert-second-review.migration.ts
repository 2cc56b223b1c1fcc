import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four eyes on sanctions matches: clearing an `aml_match` alert as a false positive is first a
 * proposal (who, when, the required note); it takes effect when a second, different person confirms.
 */
export class AlertSecondReview1764200000003 implements MigrationInterface {
  name = 'AlertSecondReview1764200000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE alerts DROP CONSTRAINT alerts_status_check');
    await q.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_status_check CHECK (status IN ('open', 'false_positive_proposed', 'false_positive', 'confirmed'))`);
    await q.query('ALTER TABLE alerts ADD COLUMN proposed_by text, ADD COLUMN proposed_at timestamptz, ADD COLUMN proposal_note text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE alerts DROP COLUMN proposed_by, DROP COLUMN proposed_at, DROP COLUMN proposal_note');
    await q.query(`UPDATE alerts SET status = 'open' WHERE status = 'false_positive_proposed'`);
    await q.query('ALTER TABLE alerts DROP CONSTRAINT alerts_status_check');
    await q.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_status_check CHECK (status IN ('open', 'false_positive', 'confirmed'))`);
  }
}
