import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The alert queue (`GET /alerts`): newest first within a status and kind, paged by keyset on
 * `(raised_at, id)`. Each (status, kind) pair is an equality prefix of this index, read backwards from
 * the cursor for one page; the open alerts by kind and the totals count on it too.
 */
export class IndexAlertQueue1764200000004 implements MigrationInterface {
  name = 'IndexAlertQueue1764200000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX IF NOT EXISTS alerts_queue ON alerts (status, kind, raised_at, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS alerts_queue');
  }
}
