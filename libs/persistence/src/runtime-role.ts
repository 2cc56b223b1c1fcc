import type { DataSource, QueryRunner } from 'typeorm';
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
  // Replicas of a service start together: two GRANTs on one object at once fail with "tuple concurrently
  // updated", so provisioning is serialised per schema like the migrations.
  return provisionRole(ds, `runtime-role:${schema}`, role, async (runner) => {
    const statements = [
      `GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`,
      `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "${schema}" TO "${role}"`,
      ...restrict(role),
    ];
    for (const sql of statements) await runner.query(sql).catch(ignoreGranted);
  });
}

/** A membership or grant that is already there answers with a notice or one of these codes. */
function ignoreGranted(err: { code?: string }): void {
  if (err.code !== '0LP01' && err.code !== '42710') throw err;
}

/**
 * Under an advisory lock named `lock`: creates the NOLOGIN role once (services sharing a cluster may
 * still race to create it), makes the connection's user a member, then runs `provision`. Returns the
 * role, or undefined when the connection may neither create roles nor is a superuser.
 */
async function provisionRole(ds: DataSource, lock: string, role: string, provision: (runner: QueryRunner) => Promise<void>): Promise<string | undefined> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
  try {
    const [me] = await runner.query('SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user');
    if (!me?.can) return undefined;
    await runner.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE "${role}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await runner.query(`GRANT "${role}" TO CURRENT_USER`).catch(ignoreGranted);
    await provision(runner);
    return role;
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]).catch(() => undefined);
    await runner.release();
  }
}

/** The role that owns a service's schema and runs its migrations: `<schema>_owner`. */
export const ownerRoleOf = (schema: string): string => `${assertIdentifier(schema)}_owner`;

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Creates (once) the role that owns a service's schema and everything in it, and hands it what the
 * connection's user owns there (a schema migrated before owner roles existed). The migrations then
 * run as this role: DDL on its own schema only, no rights in another service's schema or in
 * `public`, no role or database creation. It cannot log in and the runtime role is not a member of
 * it, so the runtime can neither change tables nor switch their triggers off. Returns the role, or
 * undefined when the connection may not create roles (a deployment that provisions its own): the
 * migrations then run as the connection's user.
 */
export async function ensureSchemaOwner(ds: DataSource, schema: string): Promise<string | undefined> {
  const role = ownerRoleOf(schema);
  return provisionRole(ds, `schema-owner:${schema}`, role, async (runner) => {
    const [ns] = await runner.query('SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1', [schema]);
    if (!ns) await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}" AUTHORIZATION "${role}"`);
    else if (ns.owner !== role) await runner.query(`ALTER SCHEMA "${schema}" OWNER TO "${role}"`);
    // Relations (a table's own sequences and indexes follow it), then functions and free-standing types.
    const relations: Array<{ name: string; kind: string }> = await runner.query(
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
        WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND pg_get_userbyid(c.relowner) <> $2
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))`,
      [schema, role],
    );
    const alter: Record<string, string> = { r: 'TABLE', p: 'TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', f: 'FOREIGN TABLE', S: 'SEQUENCE' };
    for (const { name, kind } of relations) {
      await runner.query(`ALTER ${alter[kind]} "${schema}".${quoteIdent(name)} OWNER TO "${role}"`);
    }
    const functions: Array<{ signature: string }> = await runner.query(
      `SELECT format('%I.%I(%s)', $1::text, p.proname, pg_get_function_identity_arguments(p.oid)) AS signature FROM pg_proc p WHERE p.pronamespace = $1::regnamespace AND pg_get_userbyid(p.proowner) <> $2`,
      [schema, role],
    );
    for (const { signature } of functions) await runner.query(`ALTER ROUTINE ${signature} OWNER TO "${role}"`);
    const types: Array<{ name: string }> = await runner.query(
      `SELECT t.typname AS name FROM pg_type t
        WHERE t.typnamespace = $1::regnamespace AND t.typtype IN ('e', 'd', 'r') AND pg_get_userbyid(t.typowner) <> $2`,
      [schema, role],
    );
    for (const { name } of types) await runner.query(`ALTER TYPE "${schema}".${quoteIdent(name)} OWNER TO "${role}"`);
  });
}
