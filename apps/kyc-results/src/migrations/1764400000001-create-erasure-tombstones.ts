import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createErasureTombstonesTable } from '@compliance/persistence';

/**
 * What was erased, without what it was: a keyed digest per erased subject reference and session id
 * (HMAC under the service's PII digest key), so a webhook about an erased subject or session that
 * arrives later (consumer lag, the retry topic, a session not seen yet) is recorded without the person.
 */
export class CreateErasureTombstones1764400000001 implements MigrationInterface {
  name = 'CreateErasureTombstones1764400000001';

  async up(q: QueryRunner): Promise<void> {
    await createErasureTombstonesTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE erasure_tombstones');
  }
}
