import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reconciler's rate limit per provider, shared by every replica: the earliest time the next call
 * to that provider's API may be made. Each call moves it on by 60 s / RECONCILE_MAX_REQUESTS_PER_MIN.
 */
export class CreateReconciliationRateLimits1764800000000 implements MigrationInterface {
  name = 'CreateReconciliationRateLimits1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE reconciliation_rate_limits (provider text PRIMARY KEY, next_slot_at timestamptz NOT NULL)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE reconciliation_rate_limits');
  }
}
