import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createServiceDataSource, runMigrationsLocked } from '@compliance/persistence';
import type { PinoLogger } from 'nestjs-pino';
import { diditSession } from '@compliance/testing';
import { MIGRATIONS } from '../migrations';
import { SCHEMA } from '../service-name';
import { DeliveryLedger, type Claim } from './delivery-ledger';
import { toInboundWebhook, type InboundWebhook } from './inbound-webhook';
import { sql, testDatabaseUrl } from '@compliance/persistence/testing';

const STALE_MS = 7000;

function webhook(payload: Record<string, unknown>): InboundWebhook {
  return toInboundWebhook({
    source: 'didit',
    scheme: 'didit',
    facts: { deliveryId: payload.event_id as string, sessionId: payload.session_id as string, subjectRef: payload.vendor_data as string },
    payload,
    receivedAt: new Date(),
  });
}

describe('DeliveryLedger group-commits the claims of concurrent webhooks (real Postgres)', () => {
  let url: string;
  let ds: DataSource;
  let ledger: DeliveryLedger;
  let statements: string[];
  const warnings: string[] = [];

  beforeAll(async () => {
    url = await testDatabaseUrl('gw-ledger');
    ds = createServiceDataSource({ url, schema: SCHEMA, migrations: MIGRATIONS });
    await ds.initialize();
    await runMigrationsLocked(ds, SCHEMA);
    const query = ds.query.bind(ds);
    ds.query = ((text: string, params?: unknown[]) => {
      statements.push(text);
      return query(text, params);
    }) as DataSource['query'];
    // Prepared statements go to the pool directly (runPrepared): count those too.
    const pool = (ds.driver as unknown as { master: { query(config: { text: string }): Promise<unknown> } }).master;
    const poolQuery = pool.query.bind(pool);
    pool.query = (config: { text: string }) => {
      statements.push(config.text);
      return poolQuery(config);
    };
    const logger = { warn: (_: unknown, message: string) => warnings.push(message) } as unknown as PinoLogger;
    ledger = new DeliveryLedger(ds, logger);
  });

  beforeEach(() => {
    statements = [];
  });

  afterAll(async () => {
    await ledger?.onModuleDestroy();
    await ds?.destroy();
  });

  const claimAll = (webhooks: InboundWebhook[]) => Promise.all(webhooks.map((w) => ledger.claim(w, 5000, STALE_MS)));
  const state = async (eventId: string) => (await sql<{ state: string }>(url, `SELECT state FROM ${SCHEMA}.deliveries WHERE event_id = $1`, [eventId]))[0]?.state;

  it('claims 200 concurrent webhooks in a handful of statements, each one new', async () => {
    const webhooks = Array.from({ length: 200 }, () => webhook(diditSession('v3-approved')));
    const claims = await claimAll(webhooks);
    expect(claims.every((c) => c.kind === 'new' && c.backlog === false)).toBe(true);
    expect(statements.filter((s) => s.includes('INSERT INTO deliveries')).length).toBeLessThanOrEqual(2);
    const [{ n }] = await sql<{ n: number }>(url, `SELECT count(*)::int AS n FROM ${SCHEMA}.deliveries WHERE event_id = ANY($1::uuid[])`, [webhooks.map((w) => w.eventId)]);
    expect(n).toBe(200);
  });

  it('lets exactly one of the duplicates in one batch win, by delivery id and by content, and names it to the others', async () => {
    const payload = diditSession('v3-in-progress');
    const sameDelivery = webhook({ ...payload, status: 'Approved' });
    const sameContent = webhook({ ...payload, event_id: randomUUID() });
    const first = webhook(payload);
    const other = webhook(diditSession('v3-in-progress'));
    const claims = await claimAll([first, sameDelivery, sameContent, other, webhook(payload)]);
    expect(claims.map((c) => c.kind)).toEqual(['new', 'duplicate', 'duplicate', 'new', 'duplicate']);
    const duplicates = claims.filter((c): c is Extract<Claim, { kind: 'duplicate' }> => c.kind === 'duplicate');
    expect(duplicates.map((d) => [d.eventId, d.match, d.state])).toEqual([
      [first.eventId, 'delivery', 'pending'],
      [first.eventId, 'content', 'pending'],
      [first.eventId, 'delivery', 'pending'],
    ]);
    expect(statements.filter((s) => s.includes('INSERT INTO deliveries'))).toHaveLength(1);
  });

  it('says whether the session of a new claim has webhooks waiting in the spool', async () => {
    const spooled = webhook(diditSession('v3-in-progress'));
    await sql(url, `INSERT INTO ${SCHEMA}.spool (event_id, session_key, value, headers, received_at) VALUES ($1, $2, '{}', '{}', now())`, [spooled.eventId, spooled.key]);
    const later = webhook({ ...diditSession('v3-approved'), session_id: spooled.key });
    const [behind, alone] = await claimAll([later, webhook(diditSession('v3-approved'))]);
    expect(behind).toEqual({ kind: 'new', backlog: true });
    expect(alone).toEqual({ kind: 'new', backlog: false });
  });

  it('claims the rest of a batch when Postgres refuses one webhook of it (a NUL in its session id)', async () => {
    const refused = webhook(diditSession('v3-approved', { session_id: 'nul-\u0000-session' }));
    const fine = [webhook(diditSession('v3-approved')), webhook(diditSession('v3-in-progress'))];
    const claims = await claimAll([fine[0], refused, fine[1]]);
    expect(claims[0]).toEqual({ kind: 'new', backlog: false });
    expect(claims[2]).toEqual({ kind: 'new', backlog: false });
    expect(claims[1]).toMatchObject({ kind: 'unavailable' });
    expect(await state(fine[0].eventId)).toBe('pending');
  });

  it("answers 'unavailable' when the claim is not answered in time, and hands over the late claim", async () => {
    const w = webhook(diditSession('v3-approved'));
    // An open transaction holding a conflicting row makes the claim wait for it.
    const blocker = new Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`INSERT INTO ${SCHEMA}.deliveries (event_id, source, delivery_id, fingerprint, session_key) VALUES ($1, 'didit', $2, $3, $4)`, [
      w.eventId,
      w.deliveryId,
      w.fingerprint,
      w.key,
    ]);
    const claim = await ledger.claim(w, 200, STALE_MS);
    expect(claim.kind).toBe('unavailable');
    await blocker.query('ROLLBACK');
    await blocker.end();
    expect(await (claim as Extract<Claim, { kind: 'unavailable' }>).late).toEqual({ kind: 'new', backlog: false });
  });

  it('marks the claims of many produced webhooks settled in one statement, each row staying on its page', async () => {
    const webhooks = Array.from({ length: 50 }, () => webhook(diditSession('v3-approved')));
    await claimAll(webhooks);
    const pages = () =>
      sql<{ page: string }>(url, `SELECT (ctid::text::point)[0]::text AS page FROM ${SCHEMA}.deliveries WHERE event_id = ANY($1::uuid[]) ORDER BY event_id`, [
        webhooks.map((w) => w.eventId),
      ]);
    const before = await pages();
    statements = [];
    for (const w of webhooks) ledger.settleProduced(w.eventId);
    await ledger.onModuleDestroy();
    expect(statements.filter((s) => s.includes("SET state = 'produced'"))).toHaveLength(1);
    expect(new Set(await Promise.all(webhooks.map((w) => state(w.eventId))))).toEqual(new Set(['produced']));
    // Room left on each page keeps the update a heap-only tuple: no new entries in its indexes.
    expect(await pages()).toEqual(before);
  });

  it('lets exactly one caller take over a stale pending claim, and nobody a fresh one', async () => {
    const w = webhook(diditSession('v3-approved'));
    await claimAll([w]);
    // A fresh claim (its owner is still producing) is nobody's to take over.
    expect(await ledger.takeOver(w.eventId, STALE_MS)).toBeUndefined();
    await sql(url, `UPDATE ${SCHEMA}.deliveries SET claimed_at = now() - interval '1 hour' WHERE event_id = $1`, [w.eventId]);
    const takers = await Promise.all([ledger.takeOver(w.eventId, STALE_MS), ledger.takeOver(w.eventId, STALE_MS), ledger.takeOver(w.eventId, STALE_MS)]);
    expect(takers.filter((t) => t !== undefined)).toEqual([{ backlog: false }]);
  });
});
