import type { DataSource } from 'typeorm';
import { createServiceDataSource, runMigrationsLocked } from '@compliance/persistence';
import { testDatabaseUrl } from '@compliance/persistence/testing';
import { waitFor } from '@compliance/testing';
import { DEFAULT_INBOX_RETENTION_DAYS, InboxPruner, pruneInboxBatch } from './inbox-pruner';
import {
  CreateMessagingTables1764100000000,
  DropOutboxUnsentIndex1765000000000,
  InboxReceivedAtBrin1764900000000,
  IndexInboxReceivedAt1764100000002,
  MESSAGING_MIGRATIONS,
  withMessagingMigrations,
} from './messaging-tables.migration';

const DAY_MS = 86_400_000;
const KEEP_MS = InboxPruner.daysToMs(DEFAULT_INBOX_RETENTION_DAYS);

describe('inbox pruning (real Postgres)', () => {
  let ds: DataSource;

  /** `n` inbox rows of a consumer, received `daysAgo` days ago (a minute apart, the oldest first). */
  const received = (consumer: string, n: number, daysAgo: number) =>
    ds.query(
      `INSERT INTO inbox (consumer, event_id, received_at)
       SELECT $1, $1 || '-' || $3 || '-' || i, now() - ($3::float8 * interval '1 day') - ((($2::int) - i) * interval '1 minute') FROM generate_series(1, $2::int) i`,
      [consumer, n, daysAgo],
    );
  const ages = async () =>
    (await ds.query(`SELECT consumer, count(*)::int AS n, min(extract(epoch FROM now() - received_at) / 86400)::int AS youngest FROM inbox GROUP BY 1 ORDER BY 1`)) as Array<{
      consumer: string;
      n: number;
      youngest: number;
    }>;

  beforeAll(async () => {
    ds = createServiceDataSource({ url: await testDatabaseUrl('inbox-prune'), schema: 'inbox_prune', migrations: [...MESSAGING_MIGRATIONS] });
    await ds.initialize();
    await runMigrationsLocked(ds, 'inbox_prune');
  });
  afterAll(() => ds?.destroy());
  beforeEach(() => ds.query('TRUNCATE inbox'));

  it('deletes rows older than the retention, at most a batch per statement; recent rows stay', async () => {
    await received('kyc-results', 25, DEFAULT_INBOX_RETENTION_DAYS + 5);
    await received('aml-trigger', 5, DEFAULT_INBOX_RETENTION_DAYS + 1);
    await received('kyc-results', 10, DEFAULT_INBOX_RETENTION_DAYS - 1);
    await received('aml-trigger', 7, 1);

    // One batch takes 10 rows past the retention and nothing else.
    expect(await pruneInboxBatch(ds, KEEP_MS, 10)).toBe(10);
    const [{ n: oldLeft }] = await ds.query(`SELECT count(*)::int AS n FROM inbox WHERE received_at < now() - interval '${DEFAULT_INBOX_RETENTION_DAYS} days'`);
    expect(oldLeft).toBe(20);
    const [{ n: recent }] = await ds.query(`SELECT count(*)::int AS n FROM inbox WHERE received_at >= now() - interval '${DEFAULT_INBOX_RETENTION_DAYS} days'`);
    expect(recent).toBe(17);

    // A round works off the rest in bounded batches, then stops at the first batch that is not full.
    const batches: number[] = [];
    const pruner = new InboxPruner(ds, { keepMs: KEEP_MS, batchSize: 10, pauseMs: 1, onPruned: (n) => batches.push(n) });
    expect(await pruner.pruneRound()).toBe(20);
    expect(batches).toEqual([10, 10]);
    expect(await ages()).toEqual([
      { consumer: 'aml-trigger', n: 7, youngest: 1 },
      { consumer: 'kyc-results', n: 10, youngest: DEFAULT_INBOX_RETENTION_DAYS - 1 },
    ]);
    expect(await pruner.pruneRound()).toBe(0);
  });

  it('runs on a timer once started; two pruners (replicas) together delete each old row once', async () => {
    await received('retention', 300, 60);
    await received('retention', 3, 2);
    const pruned: number[] = [];
    const pruners = [1, 2].map(() => new InboxPruner(ds, { keepMs: 30 * DAY_MS, batchSize: 20, pauseMs: 1, firstRoundAfterMs: 10, intervalMs: 50, onPruned: (n) => pruned.push(n) }));
    for (const p of pruners) p.start();
    await waitFor(async () => (await ages())[0].n === 3, { what: 'old rows pruned' });
    await Promise.all(pruners.map((p) => p.stop()));
    expect(pruned.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.max(...pruned)).toBeLessThanOrEqual(20);
    expect(await ages()).toEqual([{ consumer: 'retention', n: 3, youngest: 2 }]);
  });

  it('finds old rows through the received_at index, not by reading the table', async () => {
    // Old rows first on disk, as time writes them, then a large young remainder.
    await received('audit-log', 100, DEFAULT_INBOX_RETENTION_DAYS + 5);
    await ds.query(`INSERT INTO inbox (consumer, event_id, received_at)
      SELECT 'audit-log', 'young-' || i, now() - interval '1 day' + i * interval '10 milliseconds' FROM generate_series(1, 200000) i`);
    await ds.query('ANALYZE inbox');
    const plan: Array<{ 'QUERY PLAN': string }> = await ds.query(
      `EXPLAIN SELECT consumer, event_id FROM inbox WHERE received_at < now() - interval '45 days' LIMIT 5000 FOR UPDATE SKIP LOCKED`,
    );
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('inbox_received_at_brin');
    // The key is the inbox's only B-tree: an inbox row costs one index entry besides the BRIN summary.
    const indexes = await ds.query<Array<{ indexdef: string }>>("SELECT indexdef FROM pg_indexes WHERE tablename = 'inbox' AND schemaname = current_schema()");
    expect(indexes.map((i) => i.indexdef.replace(/^.* USING (\w+) .*$/, '$1')).sort()).toEqual(['brin', 'btree']);
  });

  it('comes with every service that lists the messaging tables', () => {
    class OwnTables1764900000000 {}
    expect(withMessagingMigrations([CreateMessagingTables1764100000000, OwnTables1764900000000])).toEqual([
      CreateMessagingTables1764100000000,
      OwnTables1764900000000,
      IndexInboxReceivedAt1764100000002,
      InboxReceivedAtBrin1764900000000,
      DropOutboxUnsentIndex1765000000000,
    ]);
    expect(withMessagingMigrations([...MESSAGING_MIGRATIONS, OwnTables1764900000000])).toEqual([...MESSAGING_MIGRATIONS, OwnTables1764900000000]);
    expect(withMessagingMigrations([OwnTables1764900000000])).toEqual([OwnTables1764900000000]);
  });
});
