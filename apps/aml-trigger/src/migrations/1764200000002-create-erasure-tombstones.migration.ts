import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What was erased, without what it was: a keyed digest per erased subject reference and session id
 * (HMAC under the service's PII digest key), so an event about an erased subject that arrives later
 * (consumer lag, a retry, an outbox row sent after the erasure) is recognised and starts nothing.
 */
export class CreateErasureTombstones1764200000002 implements MigrationInterface {
  name = 'CreateErasureTombstones1764200000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE erasure_tombstones (
      digest text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('subject', 'session')),
      request_id text NOT NULL,
      erased_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE erasure_tombstones');
  }
}
