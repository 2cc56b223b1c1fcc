import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention's own state. It holds no names, dates of birth or document numbers: only subject
 * references and session ids, which are what an erasure or purge record must name.
 */
export class CreateRetentionTables1764300000000 implements MigrationInterface {
  name = 'CreateRetentionTables1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE retention_policies (
      category text PRIMARY KEY,
      retention_days int CHECK (retention_days IS NULL OR retention_days BETWEEN 30 AND 3650),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    // Defaults and their reasons: docs/retention.md.
    await q.query(`INSERT INTO retention_policies (category, retention_days, updated_by) VALUES
      ('verification_data', 1825, 'default'), ('screening_data', 1825, 'default'),
      ('raw_webhooks', 30, 'default'), ('audit_detail', 3650, 'default')`);

    await q.query(`CREATE TABLE tracked_sessions (
      session_id text PRIMARY KEY,
      subject_ref text,
      status text NOT NULL,
      status_at timestamptz NOT NULL,
      decided_at timestamptz)`);
    // One row per piece of data whose retention clock we follow: unit = session id, or
    // 'subject:<ref>' for data not tied to a session (ad hoc screenings).
    await q.query(`CREATE TABLE retention_clocks (
      unit text NOT NULL,
      category text NOT NULL,
      subject_ref text,
      session_id text,
      clock_started_at timestamptz,
      PRIMARY KEY (unit, category))`);
    await q.query('CREATE INDEX retention_clocks_subject ON retention_clocks (subject_ref)');
    await q.query('CREATE INDEX retention_clocks_running ON retention_clocks (clock_started_at) WHERE clock_started_at IS NOT NULL');

    await q.query(`CREATE TABLE purges (
      purge_id uuid PRIMARY KEY,
      unit text NOT NULL,
      category text NOT NULL,
      subject_ref text,
      session_id text,
      clock_started_at timestamptz NOT NULL,
      retention_days int NOT NULL,
      due_at timestamptz NOT NULL,
      emitted_at timestamptz NOT NULL,
      completed_at timestamptz,
      UNIQUE (unit, category, clock_started_at))`);
    await q.query(`CREATE TABLE purge_confirmations (
      purge_id uuid NOT NULL REFERENCES purges (purge_id),
      service text NOT NULL,
      counts jsonb NOT NULL,
      completed_at timestamptz NOT NULL,
      PRIMARY KEY (purge_id, service))`);

    await q.query(`CREATE TABLE legal_holds (
      id uuid PRIMARY KEY,
      subject_ref text NOT NULL,
      reason text NOT NULL,
      until timestamptz,
      placed_by text NOT NULL,
      placed_at timestamptz NOT NULL,
      lifted_at timestamptz,
      lifted_by text)`);
    await q.query('CREATE INDEX legal_holds_open ON legal_holds (subject_ref) WHERE lifted_at IS NULL');

    await q.query(`CREATE TABLE erasure_requests (
      id uuid PRIMARY KEY,
      subject_ref text NOT NULL,
      reason text NOT NULL,
      status text NOT NULL CHECK (status IN ('blocked_by_legal_hold', 'in_progress', 'finished', 'withdrawn')),
      legal_hold_id uuid REFERENCES legal_holds (id),
      expected_services text[] NOT NULL,
      session_ids text[] NOT NULL DEFAULT '{}',
      provider_deletion boolean NOT NULL DEFAULT false,
      requested_by text NOT NULL,
      requested_at timestamptz NOT NULL,
      dispatched_at timestamptz,
      finished_at timestamptz,
      overdue_alert_id uuid,
      overdue_alerted_at timestamptz)`);
    // At most one open request per subject: a repeat returns it instead of starting another.
    await q.query(`CREATE UNIQUE INDEX erasure_requests_one_open ON erasure_requests (subject_ref)
      WHERE status IN ('blocked_by_legal_hold', 'in_progress')`);
    await q.query(`CREATE TABLE erasure_confirmations (
      request_id uuid NOT NULL REFERENCES erasure_requests (id),
      service text NOT NULL,
      counts jsonb NOT NULL,
      completed_at timestamptz NOT NULL,
      PRIMARY KEY (request_id, service))`);
    await q.query(`CREATE TABLE provider_deletions (
      request_id uuid NOT NULL REFERENCES erasure_requests (id),
      session_id text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('deleted', 'not_found', 'failed')),
      http_status int,
      attempts int NOT NULL,
      error text,
      attempted_at timestamptz NOT NULL,
      PRIMARY KEY (request_id, session_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    const tables = ['provider_deletions', 'erasure_confirmations', 'erasure_requests', 'legal_holds', 'purge_confirmations', 'purges'];
    for (const table of [...tables, 'retention_clocks', 'tracked_sessions', 'retention_policies']) await q.query(`DROP TABLE ${table}`);
  }
}
