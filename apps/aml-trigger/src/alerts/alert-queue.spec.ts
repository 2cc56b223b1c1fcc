import { DataSource } from 'typeorm';
import { EventTypes, Topics } from '@compliance/contracts';
import { sql } from '@compliance/persistence/testing';
import { TEST_API_KEYS } from '@compliance/platform/testing';
import { AmlHarness, approvedEvent, LISTED_PERSON } from '../../test/aml-test-harness';
import { AML_ALERT_KINDS, alertQueueQuery, type AlertStatus } from './alert.repository';

const ALERTS = 10_000;
const STATUSES = ['open', 'open', 'open', 'open', 'open', 'open', 'false_positive_proposed', 'false_positive', 'false_positive', 'confirmed'];

/**
 * 10,000 alerts in one statement: kinds in turn, six in ten open, one proposed, three closed; six
 * alerts share each raised_at (two of each kind, so ties are broken by id within one kind too), and
 * the times are 1,001 µs apart, so a cursor that kept milliseconds only would lose or repeat alerts.
 */
const INSERT_ALERTS = `
  INSERT INTO aml_trigger.alerts (id, kind, severity, subject_ref, session_id, screening_id, hit_keys, summary, details, status, raised_at,
    reviewed_by, reviewed_at, proposed_by, proposed_at, proposal_note)
  SELECT md5('queue-' || g)::uuid,
    (ARRAY['aml_match', 'aml_review', 'aml_screening_failed'])[g % 3 + 1],
    CASE g % 3 WHEN 1 THEN 'medium' ELSE 'high' END,
    'queue-subject-' || g % 500,
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'queue-session-' || g END,
    CASE WHEN g % 3 = 2 THEN NULL ELSE md5('screening-' || g)::uuid END,
    '{}', 'Queued alert ' || g, '{"queued": true}',
    ($2::text[])[g % 10 + 1],
    $1::timestamptz - (g / 6) * 1001 * interval '1 microsecond',
    CASE WHEN g % 10 >= 7 THEN 'reviewer-' || g % 7 END,
    CASE WHEN g % 10 >= 7 THEN $1::timestamptz END,
    CASE WHEN g % 10 IN (6, 8) THEN 'proposer-' || g % 5 END,
    CASE WHEN g % 10 IN (6, 8) THEN $1::timestamptz END,
    CASE WHEN g % 10 IN (6, 8) THEN 'same entity, different person' END
  FROM generate_series(1, ${ALERTS}) AS g`;

const STATUS_SETS: Record<string, AlertStatus[]> = {
  open: ['open'],
  false_positive_proposed: ['false_positive_proposed'],
  closed: ['false_positive', 'confirmed'],
  all: ['open', 'false_positive_proposed', 'false_positive', 'confirmed'],
};

interface Page {
  items: Array<Record<string, any>>;
  nextCursor: string | null;
  counts: Record<string, number>;
  total: number;
}

describe('aml-trigger HTTP API for the console: who am I, and the alert queue over 10,000 alerts (real Kafka, real Postgres)', () => {
  const h = new AmlHarness('amlqueue');
  let raisedAlertId: string;

  /** The ids the queue must list, in order, straight from the table. */
  const expectedIds = async (status: string, kind?: string) =>
    (
      await sql<{ id: string }>(
        h.databaseUrl,
        `SELECT id FROM aml_trigger.alerts WHERE status = ANY($1::text[]) ${kind ? 'AND kind = $2' : ''} ORDER BY raised_at DESC, id DESC`,
        kind ? [STATUS_SETS[status], kind] : [STATUS_SETS[status]],
      )
    ).map((r) => r.id);

  const page = async (query: string, key: string = TEST_API_KEYS.analyst): Promise<Page> => {
    const res = await h.http(`/alerts${query}`, { key });
    expect(res.status).toBe(200);
    return res.body;
  };

  /** Follows nextCursor from the first page for at most `pages` pages; the ids seen, the pages read. */
  const walk = async (query: string, pages = Infinity) => {
    const ids: string[] = [];
    const read: Page[] = [];
    let cursor: string | null = null;
    do {
      const p: Page = await page(`?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      read.push(p);
      ids.push(...p.items.map((i) => i.id));
      cursor = p.nextCursor;
    } while (cursor && read.length < pages);
    return { ids, pages: read, cursor };
  };

  beforeAll(async () => {
    await h.start();
    // One alert raised the real way (a listed person approved), newer than the 10,000 below.
    const approval = approvedEvent({ identity: LISTED_PERSON });
    await h.publishKyc(approval);
    const [raised] = await h.waitForEvents(Topics.ComplianceAlerts, EventTypes.ComplianceAlertRaised, (d) => d.sessionId === approval.data.sessionId);
    raisedAlertId = (raised.data as { alertId: string }).alertId;
    await sql(h.databaseUrl, INSERT_ALERTS, [new Date(Date.now() - 3_600_000).toISOString(), STATUSES]);
    await sql(h.databaseUrl, 'VACUUM ANALYZE aml_trigger.alerts');
  });
  afterAll(() => h.stop());

  describe('GET /auth/whoami', () => {
    it("answers the name and role of any valid key's principal", async () => {
      expect(await h.http('/auth/whoami', { key: TEST_API_KEYS.analyst })).toEqual({ status: 200, body: { name: 'ana', role: 'analyst' } });
      expect(await h.http('/auth/whoami', { key: TEST_API_KEYS.auditor })).toEqual({ status: 200, body: { name: 'aud', role: 'auditor' } });
      expect(await h.http('/auth/whoami', { key: TEST_API_KEYS.admin })).toEqual({ status: 200, body: { name: 'adm', role: 'admin' } });
    });

    it('answers 401 without a key or with an unknown one', async () => {
      expect(await h.http('/auth/whoami')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      expect(await h.http('/auth/whoami', { key: 'not-a-key' })).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    });
  });

  describe('GET /alerts', () => {
    it('answers 401 without a key', async () => {
      expect((await h.http('/alerts')).status).toBe(401);
      expect((await h.http('/alerts', { key: 'not-a-key' })).status).toBe(401);
    });

    it('lists open alerts newest first, 50 a page, with every alert as GET /alerts/:id shows it, the open alerts by kind and the total', async () => {
      const expected = await expectedIds('open');
      expect(expected).toHaveLength(6001);
      const first = await page('');
      expect(first.items.map((i) => i.id)).toEqual(expected.slice(0, 50));
      expect(first.nextCursor).toEqual(expect.any(String));

      // The real alert is the newest open one; its summary is exactly the one GET /alerts/:id shows.
      const one = await h.http(`/alerts/${raisedAlertId}`, { key: TEST_API_KEYS.analyst });
      expect(first.items[0]).toEqual({
        id: raisedAlertId,
        kind: 'aml_match',
        severity: 'high',
        status: 'open',
        subjectRef: one.body.subjectRef,
        sessionId: one.body.sessionId,
        screeningId: one.body.screeningId,
        summary: one.body.summary,
        raisedAt: one.body.raisedAt,
        reviewedBy: null,
        reviewedAt: null,
      });
      // Nothing GET /alerts/:id shows only (details, hits, notes).
      expect(JSON.stringify(first)).not.toMatch(/hitKeys|details|note|queued/);
      for (const item of first.items.slice(1, 4)) expect(item.summary).toBe((await h.http(`/alerts/${item.id}`, { key: TEST_API_KEYS.analyst })).body.summary);

      const counts = await sql<{ kind: string; n: number }>(h.databaseUrl, `SELECT kind, count(*)::int AS n FROM aml_trigger.alerts WHERE status = 'open' GROUP BY kind`);
      expect(first.counts).toEqual(Object.fromEntries(counts.map((c) => [c.kind, c.n])));
      expect(Object.keys(first.counts).sort()).toEqual([...AML_ALERT_KINDS].sort());
      expect(Object.values(first.counts).reduce((a, b) => a + b)).toBe(6001);
      expect(first.total).toBe(6001);
    });

    it('pages on with the cursor: contiguous, in order, no alert twice, the same counts on every page', async () => {
      const expected = await expectedIds('open');
      const { ids, pages } = await walk('limit=50', 4);
      expect(ids).toEqual(expected.slice(0, 200));
      expect(new Set(ids).size).toBe(200);
      for (const p of pages) expect(p).toMatchObject({ total: 6001, counts: pages[0].counts });

      const { ids: big } = await walk('status=open&limit=200', 3);
      expect(big).toEqual(expected.slice(0, 600));
    });

    it('filters by status (closed is false_positive or confirmed) and kind, to the last page', async () => {
      for (const [query, status, kind] of [
        ['status=closed&kind=aml_match&limit=200', 'closed', 'aml_match'],
        ['status=false_positive_proposed&limit=200', 'false_positive_proposed', undefined],
        ['status=open&kind=aml_screening_failed&limit=200', 'open', 'aml_screening_failed'],
      ] as const) {
        const expected = await expectedIds(status, kind);
        const { ids, pages, cursor } = await walk(query);
        expect(cursor).toBeNull();
        expect(ids).toEqual(expected);
        expect(pages.every((p) => p.total === expected.length)).toBe(true);
        expect(pages.flatMap((p) => p.items).every((i) => STATUS_SETS[status].includes(i.status) && (!kind || i.kind === kind))).toBe(true);
      }
      const closed = await page('?status=closed&limit=5');
      const reviewed = closed.items.find((i) => i.status === 'false_positive');
      const view = (await h.http(`/alerts/${reviewed?.id}`, { key: TEST_API_KEYS.auditor })).body;
      expect(reviewed).toMatchObject({ reviewedBy: view.review.by, reviewedAt: view.review.at });
    });

    it('lists every status with status=all', async () => {
      const expected = await expectedIds('all');
      expect(expected).toHaveLength(ALERTS + 1);
      const { ids, pages } = await walk('status=all&limit=200', 3);
      expect(ids).toEqual(expected.slice(0, 600));
      expect(pages[2].total).toBe(ALERTS + 1);
    });

    it('reads each page from the queue index, never the whole table', async () => {
      const ds = h.app.app.get(DataSource);
      const [cursorRow] = await sql<{ at: string; id: string }>(
        h.databaseUrl,
        `SELECT to_char(raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, id FROM aml_trigger.alerts ORDER BY raised_at DESC, id DESC OFFSET 500 LIMIT 1`,
      );
      for (const [statuses, kinds, after] of [
        [['open'], AML_ALERT_KINDS, undefined],
        [['open'], AML_ALERT_KINDS, { raisedAt: cursorRow.at, id: cursorRow.id }],
        [['false_positive', 'confirmed'], ['aml_review'], { raisedAt: cursorRow.at, id: cursorRow.id }],
        [STATUS_SETS.all, AML_ALERT_KINDS, { raisedAt: cursorRow.at, id: cursorRow.id }],
      ] as const) {
        const { sql: text, params } = alertQueueQuery({ statuses, kinds }, after, 51);
        const [{ 'QUERY PLAN': plan }] = await ds.query(`EXPLAIN (FORMAT JSON) ${text}`, params);
        const shown = JSON.stringify(plan);
        expect(shown).toContain('"Index Name":"alerts_queue"');
        expect(shown).not.toContain('Seq Scan');
        expect(shown).not.toContain('Bitmap');
        // The cursor bounds the index scan itself (no rows read and dropped before the position).
        if (after) expect(shown).toMatch(/"Index Cond":"[^"]*ROW\(raised_at, id\) < ROW\(/);
      }
    });

    it('answers 400 with a clear message for a bad status, kind, limit or cursor', async () => {
      const bad = async (query: string) => {
        const res = await h.http(`/alerts?${query}`, { key: TEST_API_KEYS.analyst });
        expect(res.status).toBe(400);
        return res.body;
      };
      for (const limit of ['0', '201', 'ten', '1.5', '']) {
        expect(await bad(`limit=${limit}`)).toMatchObject({ message: ['limit must be an integer from 1 to 200'] });
      }
      expect(await bad('status=pending')).toMatchObject({ message: ['status must be one of open, false_positive_proposed, closed, all'] });
      expect(await bad('kind=dead_letter')).toMatchObject({ message: ['kind must be one of aml_match, aml_review, aml_screening_failed'] });
      expect(await bad('cursor=not+a+cursor')).toMatchObject({ message: ['cursor is not a cursor this API issued'] });
      expect(await bad(`cursor=${Buffer.from('2026-01-01T00:00:00.000Z_x').toString('base64url')}`)).toMatchObject({ code: 'BAD_CURSOR', message: 'cursor is not a cursor this API issued' });
      expect(await bad('order=asc')).toMatchObject({ message: ['property order should not exist'] });
    });

    it('documents GET /alerts and GET /auth/whoami in the OpenAPI description', async () => {
      const { body } = await h.http('/docs-json');
      expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/alerts', '/alerts/{id}', '/auth/whoami']));
      expect(body.paths['/alerts'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'kind', 'limit', 'status']);
    });
  });
});
