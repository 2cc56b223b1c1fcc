import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Screening records, monitored subjects (identity sealed with AES-256-GCM), alerts, and the
 * per-subject memory of hits already alerted or cleared as false positives.
 */
export class CreateScreeningTables1764200000000 implements MigrationInterface {
  name = 'CreateScreeningTables1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE monitored_subjects (
      subject_ref text PRIMARY KEY,
      identity_sealed text NOT NULL,
      identity_digest text NOT NULL,
      latest_session_id text,
      monitored_since timestamptz NOT NULL DEFAULT now(),
      last_verified_at timestamptz NOT NULL DEFAULT now(),
      screened_list_set text,
      last_screened_at timestamptz)`);
    await q.query(`CREATE TABLE screenings (
      id uuid PRIMARY KEY,
      subject_ref text NOT NULL,
      session_id text,
      provider text NOT NULL,
      trigger text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
      dedupe_key text UNIQUE,
      input_sealed text,
      outcome text CHECK (outcome IN ('clear', 'review', 'match')),
      score double precision,
      hits jsonb NOT NULL DEFAULT '[]',
      list_versions jsonb NOT NULL DEFAULT '[]',
      list_set text,
      algorithm jsonb,
      thresholds jsonb,
      provider_reference text,
      provider_summary jsonb,
      attempts int NOT NULL DEFAULT 0,
      failure_reason text,
      lease_until timestamptz,
      traceparent text,
      requested_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      erased_at timestamptz)`);
    await q.query('CREATE INDEX screenings_subject ON screenings (subject_ref, requested_at DESC)');
    await q.query('CREATE INDEX screenings_session ON screenings (session_id)');
    await q.query(`CREATE INDEX screenings_unfinished ON screenings (requested_at) WHERE status IN ('pending', 'running')`);
    await q.query(`CREATE TABLE alerts (
      id uuid PRIMARY KEY,
      kind text NOT NULL,
      severity text NOT NULL,
      subject_ref text NOT NULL,
      session_id text,
      screening_id uuid,
      hit_keys text[] NOT NULL DEFAULT '{}',
      summary text NOT NULL,
      details jsonb NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'false_positive', 'confirmed')),
      raised_at timestamptz NOT NULL DEFAULT now(),
      reviewed_by text,
      reviewed_at timestamptz,
      note text)`);
    await q.query('CREATE INDEX alerts_subject ON alerts (subject_ref)');
    await q.query(`CREATE TABLE subject_hits (
      subject_ref text NOT NULL,
      hit_key text NOT NULL,
      state text NOT NULL CHECK (state IN ('alerted', 'suppressed')),
      alert_id uuid,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subject_ref, hit_key))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['subject_hits', 'alerts', 'screenings', 'monitored_subjects']) await q.query(`DROP TABLE ${table}`);
  }
}
