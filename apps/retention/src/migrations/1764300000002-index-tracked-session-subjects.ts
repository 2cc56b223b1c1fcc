import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event path reads both tables by primary key (and screening clocks by subject, already
 * indexed); the one lookup left without an index was a subject's sessions, read when an erasure is
 * dispatched, which scanned every tracked session.
 */
export class IndexTrackedSessionSubjects1764300000002 implements MigrationInterface {
  name = 'IndexTrackedSessionSubjects1764300000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX tracked_sessions_subject ON tracked_sessions (subject_ref)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tracked_sessions_subject');
  }
}
