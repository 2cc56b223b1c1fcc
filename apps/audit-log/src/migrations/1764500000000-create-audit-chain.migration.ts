import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hash chain: one row per entry (what the chain commits to), its data apart (deletable for
 * erasure, committed by data_hash), the single head row appends lock, and signed checkpoints.
 * Triggers make the tables append-only for everyone who does not bypass them; the verifier
 * catches those who do.
 */
export class CreateAuditChain1764500000000 implements MigrationInterface {
  name = 'CreateAuditChain1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_chain_head (
      id smallint PRIMARY KEY CHECK (id = 1),
      sequence bigint NOT NULL,
      hash text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO audit_chain_head (id, sequence, hash) VALUES (1, 0, repeat('0', 64))`);
    await q.query(`CREATE TABLE audit_entry (
      sequence bigint PRIMARY KEY,
      event_id text NOT NULL UNIQUE,
      type text NOT NULL,
      source text NOT NULL,
      subject_ref text,
      session_id text,
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL,
      data_hash text NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      redacted_at timestamptz,
      redacted_by text)`);
    await q.query('CREATE INDEX audit_entry_subject ON audit_entry (subject_ref, sequence) WHERE subject_ref IS NOT NULL');
    await q.query('CREATE INDEX audit_entry_session ON audit_entry (session_id, sequence) WHERE session_id IS NOT NULL');
    await q.query('CREATE INDEX audit_entry_type ON audit_entry (type, sequence)');
    await q.query('CREATE INDEX audit_entry_occurred ON audit_entry (occurred_at)');
    await q.query(`CREATE TABLE audit_entry_data (
      sequence bigint PRIMARY KEY REFERENCES audit_entry (sequence) ON DELETE CASCADE,
      salt text NOT NULL,
      data text NOT NULL)`);
    await q.query(`CREATE TABLE audit_checkpoint (
      sequence bigint PRIMARY KEY,
      hash text NOT NULL,
      signed_at timestamptz NOT NULL,
      algorithm text NOT NULL,
      key_id text NOT NULL,
      signature text NOT NULL,
      public_key text NOT NULL)`);
    await this.appendOnlyTriggers(q);
  }

  private async appendOnlyTriggers(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // Redaction may only stamp an entry; everything the chain commits to stays as written.
    await q.query(`CREATE FUNCTION audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
           AND (NEW.sequence, NEW.event_id, NEW.type, NEW.source, NEW.subject_ref, NEW.session_id, NEW.occurred_at,
                NEW.recorded_at, NEW.data_hash, NEW.prev_hash, NEW.hash)
           IS NOT DISTINCT FROM
               (OLD.sequence, OLD.event_id, OLD.type, OLD.source, OLD.subject_ref, OLD.session_id, OLD.occurred_at,
                OLD.recorded_at, OLD.data_hash, OLD.prev_hash, OLD.hash) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the audit trail is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query('CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry FOR EACH ROW EXECUTE FUNCTION audit_entry_guard()');
    // Data rows may be deleted (erasure, purge), never rewritten.
    await q.query('CREATE TRIGGER audit_entry_data_no_update BEFORE UPDATE ON audit_entry_data FOR EACH ROW EXECUTE FUNCTION audit_reject_change()');
    await q.query('CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint FOR EACH ROW EXECUTE FUNCTION audit_reject_change()');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_checkpoint');
    await q.query('DROP TABLE audit_entry_data');
    await q.query('DROP TABLE audit_entry');
    await q.query('DROP TABLE audit_chain_head');
    await q.query('DROP FUNCTION audit_entry_guard()');
    await q.query('DROP FUNCTION audit_reject_change()');
  }
}
