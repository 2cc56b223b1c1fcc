import fc from 'fast-check';
import type { DataSource, EntityManager } from 'typeorm';
import { KYC_STATUSES } from '@compliance/contracts';
import { createServiceDataSource, runMigrationsLocked } from '@compliance/persistence';
import { MIGRATIONS } from '../migrations';
import { applyOneByOne } from '../../test/per-event-lifecycle';
import { LifecycleService } from './lifecycle.service';
import type { LifecycleFact } from './retention-tracking';
import { testDatabaseUrl } from '@compliance/persistence/testing';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR_MS = 3_600_000;

/** A few sessions and subjects and a few instants, so that events collide, supersede and arrive late. */
const time = fc.integer({ min: 0, max: 5 }).map((h) => new Date(T0 + h * HOUR_MS));
const session = fc.constantFrom('s1', 's2', 's3');
const subject = fc.constantFrom('x', 'y');
const fact: fc.Arbitrary<LifecycleFact> = fc.oneof(
  fc.record({ kind: fc.constant('verification' as const), sessionId: session, subjectRef: fc.option(subject, { nil: undefined }), status: fc.constantFrom(...KYC_STATUSES), at: time }),
  fc.record({ kind: fc.constant('screening' as const), subjectRef: subject, sessionId: fc.option(session, { nil: undefined }), at: fc.option(time, { nil: null }) }),
);

class Rollback extends Error {}

describe('the batch path against the per-event statements it replaces (real Postgres)', () => {
  let ds: DataSource;
  const lifecycle = new LifecycleService();

  beforeAll(async () => {
    ds = createServiceDataSource({ url: await testDatabaseUrl('retention-equivalence'), schema: 'retention', migrations: MIGRATIONS, poolSize: 2 });
    await ds.initialize();
    await runMigrationsLocked(ds, 'retention');
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  /** Runs `work` in a transaction that is rolled back, and returns both tables as it left them. */
  async function outcome(work: (m: EntityManager) => Promise<void>) {
    let tables: unknown;
    await ds
      .transaction(async (m) => {
        await work(m);
        tables = {
          sessions: await m.query('SELECT * FROM tracked_sessions ORDER BY session_id'),
          clocks: await m.query('SELECT * FROM retention_clocks ORDER BY unit, category'),
        };
        throw new Rollback();
      })
      .catch((err) => {
        if (!(err instanceof Rollback)) throw err;
      });
    return tables;
  }

  it('leaves the same rows as applying each event with its own statements, however the events are split into batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fact, { minLength: 1, maxLength: 24 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 24 }), async (facts, cuts) => {
        const expected = await outcome(async (m) => {
          for (const f of facts) await applyOneByOne(m, f);
        });
        // The batches of one transaction, as the consumer hands them over (one call per run of a type).
        const actual = await outcome(async (m) => {
          for (let i = 0, c = 0; i < facts.length; c++) {
            const size = cuts[c % cuts.length];
            await lifecycle.apply(m, facts.slice(i, i + size));
            i += size;
          }
        });
        expect(actual).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
