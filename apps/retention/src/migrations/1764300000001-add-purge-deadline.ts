import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A purge not confirmed in time is sent again once and raises one alert. */
export class AddPurgeDeadline1764300000001 implements MigrationInterface {
  name = 'AddPurgeDeadline1764300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE purges ADD COLUMN resent_at timestamptz, ADD COLUMN overdue_alert_id uuid, ADD COLUMN overdue_alerted_at timestamptz');
    await q.query('CREATE INDEX purges_unconfirmed ON purges (emitted_at) WHERE completed_at IS NULL AND overdue_alerted_at IS NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX purges_unconfirmed');
    await q.query('ALTER TABLE purges DROP COLUMN resent_at, DROP COLUMN overdue_alert_id, DROP COLUMN overdue_alerted_at');
  }
}
