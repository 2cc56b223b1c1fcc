import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ServiceApp } from '@compliance/platform';
import { AuditWorld, getJson } from '../../test/audit-harness';
import { TEST_API_KEYS } from '@compliance/platform/testing';

const TOTAL = 100_000;
const HEAP_BOUND = 32 * 1024 * 1024;

// The live heap, not garbage waiting for a collection: bounded memory means nothing is retained.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const liveHeap = () => {
  collect();
  return process.memoryUsage().heapUsed;
};

describe('entry queries and streamed export (real Postgres)', () => {
  const world = new AuditWorld('auditexport');
  let app: ServiceApp;
  beforeAll(async () => {
    await world.setUp();
    app = await world.start();
    // Fast fixture straight in SQL (the export does not recompute hashes; verification has its own tests).
    await world.query(`
      INSERT INTO audit_log.audit_entry (sequence, event_id, type, source, subject_ref, session_id, occurred_at, recorded_at, data_hash, prev_hash, hash)
      SELECT i, 'e-' || i, CASE WHEN i % 10 = 0 THEN 'aml.screening.completed' ELSE 'kyc.verification.in_progress' END,
             'urn:compliance:kyc-results', 'customer-' || (i % 1000), 'session-' || (i % 5000),
             timestamptz '2025-01-01T00:00:00Z' + i * interval '1 second', now(), repeat('d', 64), repeat('p', 64), repeat('h', 64)
      FROM generate_series(1, $1::int) i`, [TOTAL]);
    // About half a kilobyte of data per entry, so that holding the export in memory would show.
    await world.query(`INSERT INTO audit_log.audit_entry_data (sequence, salt, data)
      SELECT i, 'salt', json_build_object('i', i, 'note', repeat('x', 400), 'status', 'in_progress')::text FROM generate_series(1, $1::int) i`, [TOTAL]);
  }, 120_000);

  afterAll(() => world.tearDown());

  it(`streams all ${TOTAL} entries as JSON lines while the heap stays within a bound`, async () => {
    const baseline = liveHeap();
    let peak = baseline;
    let sampledAt = 0;
    const res = await fetch(`${app.url}/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${TEST_API_KEYS.auditor}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    let lines = 0;
    let bytes = 0;
    let tail = '';
    let last = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      const text = tail + decoder.decode(chunk, { stream: true });
      const parts = text.split('\n');
      tail = parts.pop() ?? '';
      lines += parts.length;
      if (parts.length) last = parts[parts.length - 1];
      if (bytes - sampledAt > 10_000_000) {
        sampledAt = bytes;
        peak = Math.max(peak, liveHeap());
      }
    }
    expect(lines).toBe(TOTAL);
    expect(JSON.parse(last)).toMatchObject({ sequence: TOTAL, data: { i: TOTAL } });
    expect(bytes).toBeGreaterThan(TOTAL * 400);
    expect(peak - baseline).toBeLessThan(HEAP_BOUND);
  });

  it('exports CSV with a header row and one row per filtered entry', async () => {
    const res = await fetch(`${app.url}/audit/export?format=csv&subjectRef=customer-7`, { headers: { authorization: `Bearer ${TEST_API_KEYS.auditor}` } });
    const rows = (await res.text()).trim().split('\r\n');
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(rows[0]).toBe('sequence,eventId,type,source,subjectRef,sessionId,occurredAt,recordedAt,redacted,redactedAt,dataHash,prevHash,hash,salt,data,traceId');
    expect(rows).toHaveLength(1 + TOTAL / 1000);
    expect(rows[1]).toMatch(/^7,e-7,kyc\.verification\.in_progress,urn:compliance:kyc-results,customer-7,session-7,/);
  });

  it('pages through filtered entries with a cursor', async () => {
    const q = '/audit/entries?type=aml.screening.*&from=2025-01-01T00:00:00Z&to=2025-01-01T01:00:00Z&limit=100';
    const first = await getJson(app, q);
    expect(first.status).toBe(200);
    expect(first.body.entries).toHaveLength(100);
    expect(first.body.entries.every((e: { type: string }) => e.type === 'aml.screening.completed')).toBe(true);
    const second = await getJson(app, `${q}&cursor=${first.body.nextCursor}`);
    // 3600 seconds in the hour, every tenth entry screened: 359 entries (i = 10..3590), pages of 100.
    expect(second.body.entries[0].sequence).toBeGreaterThan(first.body.entries[99].sequence);
    let total = first.body.entries.length + second.body.entries.length;
    let cursor = second.body.nextCursor;
    while (cursor) {
      const page = await getJson(app, `${q}&cursor=${cursor}`);
      total += page.body.entries.length;
      cursor = page.body.nextCursor;
    }
    expect(total).toBe(359);
  });

  it('requires an auditor and rejects malformed filters', async () => {
    expect((await getJson(app, '/audit/entries', TEST_API_KEYS.analyst)).status).toBe(403);
    expect((await fetch(`${app.url}/audit/export`)).status).toBe(401);
    expect((await getJson(app, '/audit/entries?from=yesterday')).status).toBe(400);
    // ISO-8601 forms Postgres cannot read (week and ordinal dates, a day that does not exist) are a 400, never a 500.
    for (const bad of ['2009-W53-7', '2009-365', '2026-02-31', '2026-13-01T00:00:00Z']) {
      const res = await getJson(app, `/audit/entries?from=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/from must be an ISO-8601 calendar date/);
    }
    for (const good of ['2026-01-31', '2026-01-31T12:00:00Z', '2026-01-31T12:00:00.123+02:00']) expect((await getJson(app, `/audit/entries?from=${encodeURIComponent(good)}`)).status).toBe(200);
    expect((await getJson(app, '/audit/export?format=xml')).status).toBe(400);
  });
});
