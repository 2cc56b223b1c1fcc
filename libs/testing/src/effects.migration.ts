import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A table of applied effects for runtime tests: one row per applied event. */
export class CreateTestEffects1764100000001 implements MigrationInterface {
  name = 'CreateTestEffects1764100000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE effects (seq bigserial PRIMARY KEY, event_id text NOT NULL, key text, value text)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE effects');
  }
}
