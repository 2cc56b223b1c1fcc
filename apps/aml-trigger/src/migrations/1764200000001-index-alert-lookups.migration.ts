import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts are looked up by session (erasure and purge: `subject_ref = $1 OR session_id = ANY($2)`)
 * and by screening (a screening's alert ids in the HTTP API); without these, both scan every alert.
 * The approval path itself needs no new index: it looks screenings up by their unique idempotency
 * key and subjects and hits by their primary keys.
 */
export class IndexAlertLookups1764200000001 implements MigrationInterface {
  name = 'IndexAlertLookups1764200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX IF NOT EXISTS alerts_session ON alerts (session_id)');
    await q.query('CREATE INDEX IF NOT EXISTS alerts_screening ON alerts (screening_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS alerts_screening');
    await q.query('DROP INDEX IF EXISTS alerts_session');
  }
}
