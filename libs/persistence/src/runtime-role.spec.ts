import { randomBytes } from 'node:crypto';
import { createServiceDataSource } from './data-source';
import { ensureRuntimeRole, runtimeRoleOf } from './runtime-role';
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
