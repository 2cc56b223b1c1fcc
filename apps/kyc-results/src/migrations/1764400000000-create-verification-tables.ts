import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The verification record: sessions (non-personal, queryable), every report received as history,
 * and the identity attributes, whose personal fields hold AES-256-GCM ciphertext only.
 */
export class CreateVerificationTables1764400000000 implements MigrationInterface {
  name = 'CreateVerificationTables1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE verification_sessions (
      session_id text PRIMARY KEY,
      seq bigserial NOT NULL UNIQUE,
      provider text NOT NULL,
      subject_ref text,
      workflow_id text,
      status text NOT NULL,
      provider_status text,
      previous_status text,
      status_at timestamptz NOT NULL,
      transitions integer NOT NULL DEFAULT 1,
      decided_at timestamptz,
      document_type text,
      issuing_country text,
      liveness_score double precision,
      face_match_score double precision,
      ip_risk_flags text[],
      provider_aml jsonb,
      decision_key text,
      payload_version text NOT NULL,
      first_event_at timestamptz NOT NULL,
      last_event_at timestamptz NOT NULL,
      erased_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX verification_sessions_by_subject ON verification_sessions (subject_ref, seq DESC)');
    await q.query('CREATE INDEX verification_sessions_by_status ON verification_sessions (status)');
    // The verification_data retention clock: the terminal decision, else the last report.
    await q.query('CREATE INDEX verification_sessions_by_clock ON verification_sessions ((coalesce(decided_at, last_event_at)))');
    await q.query(`CREATE TABLE verification_status_history (
      id bigserial PRIMARY KEY,
      session_id text NOT NULL REFERENCES verification_sessions (session_id) ON DELETE CASCADE,
      event_id text NOT NULL,
      delivery_id text NOT NULL,
      fingerprint text NOT NULL,
      webhook_type text NOT NULL,
      payload_version text NOT NULL,
      status text,
      provider_status text,
      previous_status text,
      outcome text NOT NULL CHECK (outcome IN ('transition', 'repeat', 'stale', 'data_updated')),
      stale boolean NOT NULL,
      decision_applied boolean NOT NULL,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (session_id, fingerprint))`);
    await q.query('CREATE INDEX verification_status_history_by_session ON verification_status_history (session_id, occurred_at, id)');
    await q.query(`CREATE TABLE identity_attributes (
      session_id text PRIMARY KEY REFERENCES verification_sessions (session_id) ON DELETE CASCADE,
      document_type text,
      issuing_state text,
      first_name_enc text,
      last_name_enc text,
      full_name_enc text,
      date_of_birth_enc text,
      nationality_enc text,
      document_number_enc text,
      address_enc text,
      identity_digest text NOT NULL,
      key_id text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE identity_attributes');
    await q.query('DROP TABLE verification_status_history');
    await q.query('DROP TABLE verification_sessions');
  }
}
