import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { EventSources, EventTypes, kycEventType, newEvent, type DomainEvent, type ErasureRequestedData, type PurgeDueData } from '@compliance/contracts';
import { OutboxRelay } from '@compliance/messaging';
import type { ServiceApp } from '@compliance/platform';
import { watchTransactions } from '@compliance/persistence/testing';
import { AuditWorld, getJson } from '../../test/audit-harness';
import { erasureRequested, purgeDue, verificationStory } from '../../test/suite-events';
import { EventRecorder } from './event-recorder';

/** The statements one transaction sends (prepared ones included), from its first query to its COMMIT. */
async function statementsOf(ds: DataSource, work: (m: EntityManager) => Promise<void>): Promise<string[]> {
  const watch = watchTransactions();
  let client: unknown;
  try {
    await ds.transaction(async (m) => {
      client = await m.queryRunner?.connect();
      await work(m);
    });
  } finally {
    watch.stop();
  }
  const tx = watch.transactions().find((t) => t.connection === client);
  return (tx?.statements ?? []).map((s) => s.text).filter((t) => !/^(START TRANSACTION|COMMIT)$/.test(t));
}

const story = (s: ReturnType<typeof verificationStory>) => [s.webhook, s.approved, s.requested, s.completed, s.alert];

function statusEvent(n: number): DomainEvent {
  const sessionId = randomUUID();
  return newEvent({
    type: kycEventType('in_progress'),
    source: EventSources.KycResults,
    subject: sessionId,
    data: { sessionId, subjectRef: `customer-${n}`, provider: 'didit', status: 'in_progress', occurredAt: new Date().toISOString(), change: 'data_updated' },
  });
}

describe('set-based recording: one fetch, one transaction (real Postgres)', () => {
  const world = new AuditWorld('auditbatch');
  let app: ServiceApp;
  let ds: DataSource;
  let recorder: EventRecorder;
  const record = (events: DomainEvent[]) => statementsOf(ds, (m) => recorder.recordBatch(events.map((event) => ({ event })), m));
  const dataOf = (eventId: string) =>
    world.query('SELECT e.redacted_by, d.data FROM audit_log.audit_entry e LEFT JOIN audit_log.audit_entry_data d USING (sequence) WHERE e.event_id = $1', [eventId]);

  beforeAll(async () => {
    await world.setUp();
    app = await world.start({ AUDIT_CHECKPOINT_EVERY: '100000' });
    ds = app.app.get(DataSource);
    recorder = app.app.get(EventRecorder);
    // The relay deletes what it sends: held, the outbox keeps the confirmations these transactions wrote.
    await app.app.get(OutboxRelay).stop();
  });

  afterAll(() => world.tearDown());

  it('chains a batch of ordinary events with three statements, however many events', async () => {
    for (const size of [1, 300]) {
      const before = await world.entryCount();
      const statements = await record(Array.from({ length: size }, (_, i) => statusEvent(i)));
      expect(await world.entryCount()).toBe(before + size);
      // Duplicate check, head lock, one insert of chain rows, data rows and head (erased references looked up in it).
      expect(statements).toHaveLength(3);
      expect(statements[0]).toMatch(/^SELECT event_id FROM audit_entry WHERE event_id = ANY/);
      expect(statements[1]).toMatch(/FROM audit_chain_head WHERE id = 1 FOR UPDATE$/);
      expect(statements[2]).toMatch(/^WITH input AS .* LEFT JOIN audit_erased_ref .* INSERT INTO audit_entry \(/);
    }
    expect((await getJson(app, '/audit/verify')).body).toMatchObject({ ok: true, entries: 301 });
  });

  it('applies the erasures of a batch together, with the outcome of applying them one after the other', async () => {
    const a = verificationStory();
    const b = verificationStory();
    await record([...story(a), ...story(b)]);
    const first = erasureRequested(a.subjectRef);
    const again = erasureRequested(a.subjectRef);
    // The session goes on after the request: applied one by one, this step would be chained redacted.
    const later = verificationStory({ sessionId: a.sessionId, subjectRef: a.subjectRef }).approved;
    const other = erasureRequested(b.subjectRef);
    const statements = await record([first, again, later, other]);

    const kinds = statements.map((s) => s.slice(0, 40));
    expect(kinds.filter((s) => s.startsWith('SELECT r.n::int AS n, array_agg'))).toHaveLength(1);
    expect(kinds.filter((s) => s.startsWith('WITH req AS'))).toHaveLength(1);
    expect(statements.filter((s) => s.includes('DELETE FROM outbox WHERE sent_at IS NOT NULL'))).toHaveLength(1);

    for (const e of story(a)) expect(await dataOf(e.id)).toEqual([{ redacted_by: first.id, data: null }]);
    for (const e of story(b)) expect(await dataOf(e.id)).toEqual([{ redacted_by: other.id, data: null }]);
    expect(await dataOf(later.id)).toEqual([{ redacted_by: first.id, data: null }]);

    const confirmations = await world.query<{ key: string; value: string }>(
      "SELECT key, value FROM audit_log.outbox WHERE headers->>'ce_type' = $1 ORDER BY id",
      [EventTypes.RetentionErasureCompleted],
    );
    const counts = confirmations.map((c) => [c.key, JSON.parse(c.value).requestId, JSON.parse(c.value).counts.audit_entry_data]);
    expect(counts).toEqual([
      [a.subjectRef, (first.data as ErasureRequestedData).requestId, 6],
      [a.subjectRef, (again.data as ErasureRequestedData).requestId, 0],
      [b.subjectRef, (other.data as ErasureRequestedData).requestId, 5],
    ]);
    const redactions = await world.query("SELECT e.subject_ref, d.data FROM audit_log.audit_entry e JOIN audit_log.audit_entry_data d USING (sequence) WHERE e.type = 'audit.data_redacted' ORDER BY e.sequence");
    expect(redactions.map((r) => [r.subject_ref, JSON.parse(r.data).entries])).toEqual([[a.subjectRef, 6], [a.subjectRef, 0], [b.subjectRef, 5]]);
    expect((await getJson(app, '/audit/verify')).body).toMatchObject({ ok: true, redacted: 11 });

    // A later fetch: the steps of an erased subject are chained redacted by the insert itself, still three statements.
    const late = verificationStory({ sessionId: b.sessionId, subjectRef: b.subjectRef }).approved;
    const unrelated = statusEvent(7);
    expect(await record([late, unrelated])).toHaveLength(3);
    expect(await dataOf(late.id)).toEqual([{ redacted_by: other.id, data: null }]);
    expect((await dataOf(unrelated.id))[0].data).not.toBeNull();
    expect((await getJson(app, '/audit/verify')).body).toMatchObject({ ok: true, redacted: 12 });
  });

  it('purges by session and by age in one batch, and leaves purges of other categories alone', async () => {
    const c = verificationStory();
    const d = verificationStory({ start: new Date(Date.now() - 3 * 86_400_000) });
    await record([...story(c), ...story(d)]);
    const bySession = purgeDue('audit_detail', { sessionId: c.sessionId });
    const byAge = purgeDue('audit_detail', { clockStartedBefore: new Date(Date.now() - 2 * 86_400_000).toISOString() });
    const notOurs = purgeDue('raw_webhooks', { sessionId: d.sessionId });
    await record([bySession, notOurs, byAge]);
    for (const e of [...story(c)]) expect(await dataOf(e.id)).toEqual([{ redacted_by: bySession.id, data: null }]);
    for (const e of [...story(d)]) expect(await dataOf(e.id)).toEqual([{ redacted_by: byAge.id, data: null }]);
    const answered = await world.query<{ value: string }>("SELECT value FROM audit_log.outbox WHERE headers->>'ce_type' = $1 ORDER BY id", [EventTypes.RetentionPurgeCompleted]);
    expect(answered.map((r) => [JSON.parse(r.value).purgeId, JSON.parse(r.value).counts.audit_entry_data])).toEqual([
      [(bySession.data as PurgeDueData).purgeId, 5],
      [(byAge.data as PurgeDueData).purgeId, 5],
    ]);
    expect((await getJson(app, '/audit/verify')).body).toMatchObject({ ok: true, redacted: 22 });
  });
});
