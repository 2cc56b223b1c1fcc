import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createErasureTombstonesTable } from '@compliance/persistence';

/**
 * What was erased, without what it was: a keyed digest per erased subject reference and session id
 * (HMAC under the service's PII digest key), so an event about an erased subject that arrives later
 * (consumer lag, a retry, an outbox row sent after the erasure) is recognised and starts nothing.
 */
export class CreateErasureTombstones1764200000002 implements MigrationInterface {
  name = 'CreateErasureTombstones1764200000002';

  async up(q: QueryRunner): Promise<void> {
    await createErasureTombstonesTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE erasure_tombstones');
  }
}
