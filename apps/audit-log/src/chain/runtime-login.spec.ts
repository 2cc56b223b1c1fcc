import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ServiceApp } from '@compliance/platform';
import { AuditWorld, chainDirectly } from '../../test/audit-harness';
import { sql } from '@compliance/persistence/testing';

/**
 * With a login of its own (DATABASE_RUNTIME_URL), the runtime's limits hold even against code that
 * tries to leave them: there is no superuser session to fall back to.
 */
describe('audit-log with a runtime login of its own (real Postgres)', () => {
  const world = new AuditWorld('auditlogin');
  const login = `t_rt_${randomBytes(5).toString('hex')}`;
  let app: ServiceApp;

  beforeAll(async () => {
    await world.setUp();
    // A login with no rights of its own: what it may do comes from the runtime role it is granted at start.
    await world.query(`CREATE ROLE "${login}" LOGIN NOSUPERUSER`);
    const url = new URL(world.dbUrl);
    url.username = login;
    app = await world.start({ DATABASE_RUNTIME_URL: url.toString() });
  });

  afterAll(async () => {
    await world.tearDown();
    const admin = new URL(world.dbUrl);
    admin.pathname = '/postgres';
    await sql(admin.toString(), `DROP ROLE IF EXISTS "${login}"`).catch(() => undefined);
  });

  it('connects as that login, gets the runtime role granted, and cannot get round the chain’s grants', async () => {
    const runtime = app.app.get(DataSource);
    const [who] = await runtime.query('SELECT session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS superuser');
    expect(who).toEqual({ session_user: login, superuser: false });
    const [member] = await world.query("SELECT pg_has_role($1, 'audit_log_runtime', 'MEMBER') AS m", [login]);
    expect(member.m).toBe(true);
    // It does its work: entries are chained through it.
    await chainDirectly(app, [{ eventId: randomBytes(8).toString('hex'), type: 'kyc.verification.approved', source: 'urn:test', occurredAt: new Date(), data: { n: 1 } }]);
    expect((await world.query('SELECT count(*)::int AS n FROM audit_log.audit_entry'))[0].n).toBe(1);
    // And cannot leave its limits: no rewriting, no switching triggers off, no role above its own.
    const denied = expect.objectContaining({ code: '42501' });
    await runtime.query('RESET ROLE');
    await expect(runtime.query("UPDATE audit_entry SET type = 'x'")).rejects.toEqual(denied);
    await expect(runtime.query('SET session_replication_role = replica')).rejects.toEqual(denied);
    await expect(runtime.query('SET ROLE postgres')).rejects.toEqual(denied);
  });
});
