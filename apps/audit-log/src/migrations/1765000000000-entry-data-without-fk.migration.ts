import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_entry_data` without its foreign key to `audit_entry`.
 *
 * The key checked every data row as it was appended (a `SELECT … FOR KEY SHARE` of its entry, which
 * also writes a lock into the entry's tuple and the WAL): five per webhook, the largest share of the
 * foreign-key checks that took 15 % of Postgres's CPU in the pipeline, and 25 % of the appends'
 * throughput (9,000 → 11,300 appends/s in the audit benchmark). It guarded nothing the chain does not:
 * - the only writer appends an entry and its data row in one statement, from the same input;
 * - entries are never deleted (`audit_entry_append_only` rejects it), so `ON DELETE CASCADE` never ran;
 * - a data row is bound to its entry by the entry's `data_hash` (salted), which verification checks:
 *   a data row that is not its entry's is reported, with or without the key.
 * Erasure and purges still delete data rows as before.
 */
export class EntryDataWithoutFk1765000000000 implements MigrationInterface {
  name = 'EntryDataWithoutFk1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_entry_data DROP CONSTRAINT IF EXISTS audit_entry_data_sequence_fkey');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_entry_data ADD CONSTRAINT audit_entry_data_sequence_fkey FOREIGN KEY (sequence) REFERENCES audit_entry (sequence) ON DELETE CASCADE');
  }
}
