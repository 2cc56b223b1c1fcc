import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Entries by occurrence time through a BRIN index instead of a B-tree: entries are appended about
 * in event-time order, so block ranges summarise them well enough for the range reads that use it
 * (`/audit/entries?from&to`, purges by age), and every append writes one B-tree entry fewer.
 */
export class OccurredAtBrin1764900000001 implements MigrationInterface {
  name = 'OccurredAtBrin1764900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX IF NOT EXISTS audit_entry_occurred_brin ON audit_entry USING brin (occurred_at)');
    await q.query('DROP INDEX IF EXISTS audit_entry_occurred');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX IF NOT EXISTS audit_entry_occurred ON audit_entry (occurred_at)');
    await q.query('DROP INDEX IF EXISTS audit_entry_occurred_brin');
  }
}
