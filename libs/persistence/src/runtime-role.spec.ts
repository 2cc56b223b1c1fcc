import { randomBytes } from 'node:crypto';
import { createServiceDataSource } from './data-source';
import { runMigrationsLocked } from './migrations';
import { ensureRuntimeRole, ensureSchemaOwner, ownerRoleOf, runtimeRoleOf } from './runtime-role';
import { sql, testDatabaseUrl } from './testing';

describe('ensureRuntimeRole (real Postgres)', () => {
  it('provisions the role once when several replicas of a service start at the same moment', async () => {
    const url = await testDatabaseUrl('runtime_role');
    const schema = `replicas_${randomBytes(4).toString('hex')}`;
    await sql(url, `CREATE SCHEMA ${schema}`);
    for (let i = 0; i < 20; i++) await sql(url, `CREATE TABLE ${schema}.t${i} (id bigserial PRIMARY KEY, v text)`);
    const replicas = Array.from({ length: 6 }, () => createServiceDataSource({ url, schema, poolSize: 1 }));
    await Promise.all(replicas.map((ds) => ds.initialize()));
    try {
      // Unserialised, concurrent GRANTs on the same tables fail with "tuple concurrently updated".
      for (let round = 0; round < 3; round++) {
        const roles = await Promise.all(replicas.map((ds) => ensureRuntimeRole(ds, schema)));
        expect(roles).toEqual(replicas.map(() => runtimeRoleOf(schema)));
      }
      const granted = await sql<{ n: string }>(
        url,
        `SELECT count(*) AS n FROM information_schema.role_table_grants WHERE grantee = $1 AND table_schema = $2 AND privilege_type = 'INSERT'`,
        [runtimeRoleOf(schema), schema],
      );
      expect(Number(granted[0].n)).toBe(20);
    } finally {
      await Promise.all(replicas.map((ds) => ds.destroy()));
    }
  });
});

describe('ensureSchemaOwner (real Postgres)', () => {
  class CreateNotes {
    name = 'CreateNotes1764000000000';
    async up(q: { query(sql: string): Promise<unknown> }): Promise<void> {
      await q.query('CREATE TABLE notes (id bigserial PRIMARY KEY, body text)');
    }
  }

  it('hands a schema migrated by the connection user to <schema>_owner, which then migrates only its own schema', async () => {
    const url = await testDatabaseUrl('schema_owner');
    const schema = `owned_${randomBytes(4).toString('hex')}`;
    const other = `other_${randomBytes(4).toString('hex')}`;
    // What an earlier version left: the schema, a table with its sequence, a trigger function, all the superuser's.
    await sql(url, `CREATE SCHEMA ${schema}`);
    await sql(url, `CREATE SCHEMA ${other}`);
    await sql(url, `CREATE TABLE ${schema}.legacy (id bigserial PRIMARY KEY, v text)`);
    await sql(url, `CREATE FUNCTION ${schema}.guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`);
    await sql(url, `CREATE TABLE ${other}.theirs (id int)`);

    const admin = createServiceDataSource({ url, schema, poolSize: 1 });
    await admin.initialize();
    const owner = await ensureSchemaOwner(admin, schema);
    expect(owner).toBe(ownerRoleOf(schema));
    expect(await ensureSchemaOwner(admin, schema)).toBe(owner); // again at the next start: nothing left to move
    const owners = await sql<{ kind: string; owner: string }>(
      url,
      `SELECT 'schema' AS kind, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1
       UNION ALL SELECT relkind::text, pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = $1::regnamespace
       UNION ALL SELECT 'function', pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = $1::regnamespace`,
      [schema],
    );
    expect(owners.map((o) => o.kind).sort()).toEqual(['S', 'function', 'i', 'r', 'schema']);
    expect(new Set(owners.map((o) => o.owner))).toEqual(new Set([owner]));

    // Migrations as the owner: its own schema only.
    const migrator = createServiceDataSource({ url, schema, poolSize: 2, role: owner, migrations: [CreateNotes] });
    await migrator.initialize();
    try {
      expect(await runMigrationsLocked(migrator, schema)).toEqual(['CreateNotes1764000000000']);
      await migrator.query(`ALTER TABLE legacy ADD COLUMN w text`);
      const denied = async (statement: string) => (await migrator.query(statement).then(() => 'allowed', (err: { code?: string }) => err.code));
      expect(await denied(`CREATE TABLE ${other}.mine (id int)`)).toBe('42501');
      expect(await denied(`DROP TABLE ${other}.theirs`)).toBe('42501');
      expect(await denied(`SELECT * FROM ${other}.theirs`)).toBe('42501');
      expect(await denied('CREATE TABLE public.mine (id int)')).toBe('42501');
      expect(await denied(`CREATE SCHEMA ${schema}_more`)).toBe('42501');
      expect(await denied('CREATE ROLE someone')).toBe('42501');
      expect(await denied('SET session_replication_role = replica')).toBe('42501');
    } finally {
      await migrator.destroy();
    }

    // The runtime role is not the owner: no DDL, no switching a table's triggers off. (Under SET ROLE the
    // session user may still switch roles; a runtime login, DATABASE_RUNTIME_URL, is the hard boundary.)
    const runtimeRole = await ensureRuntimeRole(admin, schema);
    await admin.destroy();
    const runtime = createServiceDataSource({ url, schema, poolSize: 1, role: runtimeRole });
    await runtime.initialize();
    try {
      await runtime.query(`INSERT INTO notes (body) VALUES ('x')`);
      await expect(runtime.query('ALTER TABLE notes DISABLE TRIGGER ALL')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await runtime.destroy();
    }
  });
});
