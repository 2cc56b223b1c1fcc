import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation with the provider's API: when each stale session was last checked (and may be
 * checked again: the lease that keeps two replicas from checking it at once), and each transition
 * the reconciler put into the flow, so that one is never put in twice.
 */
export class CreateReconciliationTables1764700000000 implements MigrationInterface {
  name = 'CreateReconciliationTables1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE reconciliation_checks (
      session_id text PRIMARY KEY,
      provider text NOT NULL,
      checks integer NOT NULL DEFAULT 0,
      next_check_at timestamptz NOT NULL,
      last_checked_at timestamptz,
      last_outcome text)`);
    await q.query(`CREATE TABLE reconciliation_emitted (
      session_id text NOT NULL,
      status text NOT NULL,
      event_id text NOT NULL,
      reason text NOT NULL CHECK (reason IN ('stale', 'unknown')),
      emitted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (session_id, status))`);
    // The reconciler's scan: non-final sessions of a provider by the age of their last report.
    await q.query('CREATE INDEX verification_sessions_by_provider_age ON verification_sessions (provider, last_event_at) WHERE erased_at IS NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX verification_sessions_by_provider_age');
    await q.query('DROP TABLE reconciliation_emitted');
    await q.query('DROP TABLE reconciliation_checks');
  }
}
