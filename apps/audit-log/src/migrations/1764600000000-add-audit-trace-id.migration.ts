import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace id of each entry's event (W3C, from its `traceparent`): what joins an audit entry to the
 * event's trace. The chain commits to it when present, so the append-only guard now keeps it too.
 */
export class AddAuditTraceId1764600000000 implements MigrationInterface {
  name = 'AddAuditTraceId1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_entry ADD COLUMN trace_id text');
    await q.query(guard(', NEW.trace_id', ', OLD.trace_id'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(guard('', ''));
    await q.query('ALTER TABLE audit_entry DROP COLUMN trace_id');
  }
}

/** The guard of audit_entry: redaction may only stamp an entry; everything the chain commits to stays. */
function guard(newTrace: string, oldTrace: string): string {
  return `CREATE OR REPLACE FUNCTION audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
           AND (NEW.sequence, NEW.event_id, NEW.type, NEW.source, NEW.subject_ref, NEW.session_id, NEW.occurred_at,
                NEW.recorded_at, NEW.data_hash, NEW.prev_hash, NEW.hash${newTrace})
           IS NOT DISTINCT FROM
               (OLD.sequence, OLD.event_id, OLD.type, OLD.source, OLD.subject_ref, OLD.session_id, OLD.occurred_at,
                OLD.recorded_at, OLD.data_hash, OLD.prev_hash, OLD.hash${oldTrace}) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the audit trail is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`;
}
