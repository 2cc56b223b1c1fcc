import type { DataSource } from 'typeorm';
import { assertIdentifier } from './database';

/** The role a service's runtime works as: `<schema>_runtime`. */
export const runtimeRoleOf = (schema: string): string => `${assertIdentifier(schema)}_runtime`;

/**
 * Creates (once) and grants the role a service's runtime connections work as: usage of its own
 * schema and plain DML on its tables and sequences, no DDL, nothing in another schema, and not a
 * superuser, so the grants hold and the triggers cannot be switched off
 * (`session_replication_role` needs a superuser). `restrict` narrows it further (audit-log: the chain
 * is insert-only). Runs after the migrations, as the connection that ran them, at every start, so
 * new tables are covered. Returns the role, or undefined when the connection may not create roles
 * (a deployment that provisions its roles itself): the runtime then works as the connection's user.
 */
export async function ensureRuntimeRole(ds: DataSource, schema: string, restrict: (role: string) => string[] = () => []): Promise<string | undefined> {
  const role = runtimeRoleOf(schema);
  const runner = ds.createQueryRunner();
  await runner.connect();
  // Replicas of a service start together: two GRANTs on one object at once fail with "tuple concurrently
  // updated", so provisioning is serialised per schema like the migrations.
  const lock = `runtime-role:${schema}`;
  await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
  try {
    const [me] = await runner.query('SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user');
    if (!me?.can) return undefined;
    // Services sharing a cluster (test files) may still race to create it.
    await runner.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE "${role}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    const statements = [
      `GRANT "${role}" TO CURRENT_USER`,
      `GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`,
      `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "${schema}" TO "${role}"`,
      ...restrict(role),
    ];
    for (const sql of statements) {
      await runner.query(sql).catch((err: { code?: string }) => {
        // A membership granted before (or held through superuser rights) answers with a notice or this.
        if (err.code !== '0LP01' && err.code !== '42710') throw err;
      });
    }
    return role;
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]).catch(() => undefined);
    await runner.release();
  }
}
