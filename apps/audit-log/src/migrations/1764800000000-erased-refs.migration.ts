import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the chained erasures reach, as an index the append path can read in one lookup: each erased
 * subject reference and session id (named in the request or linked to the subject in the trail up to
 * the request), with the first erasure command that reached it. An entry appended later that names one
 * is chained redacted, stamped with that command. Filled from the erasures already chained; insert-only.
 */
export class ErasedRefs1764800000000 implements MigrationInterface {
  name = 'ErasedRefs1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_erased_ref (
      kind text NOT NULL CHECK (kind IN ('subject', 'session')),
      ref text NOT NULL,
      erased_by text NOT NULL,
      PRIMARY KEY (kind, ref))`);
    await q.query(`INSERT INTO audit_erased_ref (kind, ref, erased_by)
      SELECT kind, ref, erased_by FROM (
        SELECT 'subject' AS kind, c.subject_ref AS ref, c.event_id AS erased_by, c.sequence
          FROM audit_entry c WHERE c.type = 'retention.erasure.requested' AND c.subject_ref IS NOT NULL
        UNION ALL
        SELECT 'session', s.id, c.event_id, c.sequence
          FROM audit_entry c JOIN audit_entry_data d ON d.sequence = c.sequence
          CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(d.data::jsonb -> 'sessionIds') = 'array' THEN d.data::jsonb -> 'sessionIds' ELSE '[]'::jsonb END) AS s(id)
          WHERE c.type = 'retention.erasure.requested'
        UNION ALL
        SELECT 'session', l.session_id, c.event_id, c.sequence
          FROM audit_entry c JOIN audit_entry l ON l.subject_ref = c.subject_ref AND l.sequence <= c.sequence AND l.session_id IS NOT NULL
          WHERE c.type = 'retention.erasure.requested') r
      ORDER BY sequence
      ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_erased_ref');
  }
}
