import type { DataSource } from 'typeorm';
import { createServiceDataSource } from './data-source';
import { preparedStatement, runPrepared } from './prepared';
import { testDatabaseUrl } from './testing';

describe('prepared statements (real Postgres)', () => {
  let ds: DataSource;
  const insert = preparedStatement('INSERT INTO prepared_probe (id, v) SELECT * FROM unnest($1::int[], $2::text[]) RETURNING id');
  const read = preparedStatement('SELECT id, v FROM prepared_probe WHERE id = ANY($1::int[]) ORDER BY id');
  const update = preparedStatement('UPDATE prepared_probe SET v = $2 WHERE id = ANY($1::int[])');
  const prepared = (q: { query(sql: string, p?: unknown[]): Promise<Array<{ name: string }>> }) =>
    q.query('SELECT name FROM pg_prepared_statements ORDER BY name').then((rows) => rows.map((r) => r.name));

  beforeAll(async () => {
    ds = createServiceDataSource({ url: await testDatabaseUrl('prepared'), schema: 'public' });
    await ds.initialize();
    await ds.query('DROP TABLE IF EXISTS prepared_probe');
    await ds.query('CREATE TABLE prepared_probe (id int PRIMARY KEY, v text)');
  });
  afterAll(() => ds?.destroy());

  it('names a statement after its text', () => {
    expect(preparedStatement('SELECT 1').name).toBe(preparedStatement('SELECT 1').name);
    expect(preparedStatement('SELECT 1').name).not.toBe(preparedStatement('SELECT 2').name);
  });

  it('runs inside the transaction of an EntityManager, prepared once on its connection', async () => {
    await ds.transaction(async (m) => {
      expect(await runPrepared(m, insert, [[1, 2], ['a', 'b']])).toEqual([{ id: 1 }, { id: 2 }]);
      // The same connection: the uncommitted rows are there, and the statements were prepared on it, once each.
      expect(await runPrepared(m, read, [[1, 2]])).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
      expect(await runPrepared(m, read, [[2]])).toEqual([{ id: 2, v: 'b' }]);
      expect(await prepared(m)).toEqual([insert.name, read.name].sort());
      // An UPDATE answers its rows (none without RETURNING), not TypeORM's [rows, count].
      expect(await runPrepared(m, update, [[1], 'c'])).toEqual([]);
      expect(await runPrepared(m, read, [[1]])).toEqual([{ id: 1, v: 'c' }]);
    });
  });

  it('plans a prepared statement for each call\'s values, never a generic plan made once', async () => {
    await ds.transaction(async (m) => {
      // Left to choose, Postgres may settle on a generic plan after five calls (see connectionOptions).
      expect(await m.query('SHOW plan_cache_mode')).toEqual([{ plan_cache_mode: 'force_custom_plan' }]);
      for (let i = 0; i < 8; i++) await runPrepared(m, read, [[i]]);
      const [plans] = await m.query('SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = $1', [read.name]);
      expect(plans.generic).toBe(0);
      expect(plans.custom).toBeGreaterThanOrEqual(8);
    });
  });

  it('runs on a query runner and on the data source pool', async () => {
    const runner = ds.createQueryRunner();
    try {
      expect(await runPrepared(runner, read, [[1, 2]])).toEqual([{ id: 1, v: 'c' }, { id: 2, v: 'b' }]);
      expect(await prepared(runner)).toContain(read.name);
    } finally {
      await runner.release();
    }
    expect(await runPrepared(ds, read, [[2]])).toEqual([{ id: 2, v: 'b' }]);
    expect(await runPrepared(ds.manager, read, [[1]])).toEqual([{ id: 1, v: 'c' }]);
  });

  it('hands the text to anything else that runs SQL, answering rows for an UPDATE too', async () => {
    const seen: string[] = [];
    const wrapper = { query: (sql: string, params?: unknown[]) => (seen.push(sql), ds.query(sql, params)) };
    expect(await runPrepared(wrapper, read, [[2]])).toEqual([{ id: 2, v: 'b' }]);
    expect(await runPrepared(wrapper, preparedStatement('UPDATE prepared_probe SET v = $2 WHERE id = ANY($1::int[]) RETURNING id'), [[2], 'd'])).toEqual([{ id: 2 }]);
    expect(seen).toEqual([read.text, expect.stringMatching(/^UPDATE/)]);
  });

  it('fails as the statement fails, with the server\'s code', async () => {
    await expect(runPrepared(ds, insert, [[1], ['again']])).rejects.toMatchObject({ code: '23505', severity: 'ERROR' });
  });
});
