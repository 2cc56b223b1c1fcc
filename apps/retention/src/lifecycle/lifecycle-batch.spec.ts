import { randomUUID } from 'node:crypto';
import { ConsumerGroups, retryTopicOf, type KycStatus } from '@compliance/contracts';
import { waitFor } from '@compliance/testing';
import { RetentionHarness, screeningRecord, verificationRecord, type PublishedRecord } from '../../test/retention-harness';
import { StatementCounter } from '../../test/statement-counter';
import { LifecycleService, type LifecycleFact } from './lifecycle.service';
import { sql } from '@compliance/persistence/testing';
import { TopicReader } from '@compliance/messaging/testing';

const HOUR_MS = 3_600_000;
const ref = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

type Names = Record<'A' | 'B' | 'C' | 'a' | 'b' | 'g', string>;

/**
 * Every kind of event retention learns from, several per key: a data update on the same terminal
 * status, events arriving late, a session whose subject is named only by a later (but older)
 * event, screenings superseding each other, and a subject's ad hoc screenings beside a session's.
 */
function scenario(n: Names, t0: Date): PublishedRecord[] {
  const at = (hours: number) => new Date(t0.getTime() + hours * HOUR_MS);
  const v = (session: string, subject: string | undefined, status: KycStatus, hours: number) => verificationRecord(session, subject, status, at(hours));
  return [
    v(n.A, n.a, 'in_progress', -5),
    v(n.A, n.a, 'approved', -4),
    v(n.A, n.a, 'approved', -3),
    v(n.A, n.a, 'declined', -6),
    v(n.B, undefined, 'approved', -2),
    v(n.B, n.b, 'approved', -3),
    v(n.C, n.g, 'approved', -7),
    screeningRecord('requested', n.a, n.A, at(-4)),
    screeningRecord('completed', n.a, n.A, at(-3)),
    screeningRecord('completed', n.a, n.A, at(-5)),
    screeningRecord('failed', n.a, n.A, at(-2)),
    screeningRecord('requested', n.g, undefined, at(-6)),
    screeningRecord('completed', n.g, undefined, at(-5)),
    screeningRecord('completed', n.g, n.C, at(-1)),
  ];
}

describe('set-based handling of the kyc and aml events (real Kafka, real Postgres)', () => {
  let h: RetentionHarness;
  let counter: StatementCounter;
  let lifecycle: LifecycleService;
  let t0: Date;

  const names = (): Names => ({ A: randomUUID(), B: randomUUID(), C: randomUUID(), a: ref('anna'), b: ref('bob'), g: ref('gina') });
  const applied = async (ids: string[]) =>
    (await sql<{ n: number }>(h.databaseUrl, 'SELECT count(*)::int AS n FROM retention.inbox WHERE event_id = ANY($1)', [ids]))[0].n === ids.length;

  /** What retention holds about the names, each id replaced by its name so that two runs compare. */
  async function snapshot(n: Names) {
    const alias = new Map(Object.entries(n).map(([k, v]) => [v, k]));
    const named = (v: unknown) => {
      if (typeof v !== 'string') return v;
      const subject = /^subject:(.*)$/.exec(v)?.[1];
      return alias.get(v) ?? (subject && alias.has(subject) ? `subject:${alias.get(subject)}` : v);
    };
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const sessions = await sql<Record<string, unknown>>(h.databaseUrl, 'SELECT * FROM retention.tracked_sessions WHERE session_id = ANY($1)', [Object.values(n)]);
    const clocks = await sql<Record<string, unknown>>(
      h.databaseUrl,
      'SELECT * FROM retention.retention_clocks WHERE unit = ANY($1) OR subject_ref = ANY($2)',
      [[...Object.values(n), ...[n.a, n.b, n.g].map((s) => `subject:${s}`)], [n.a, n.b, n.g]],
    );
    return {
      sessions: sessions
        .map((r) => ({ session: named(r.session_id), subject: named(r.subject_ref), status: r.status, statusAt: iso(r.status_at as Date), decidedAt: iso(r.decided_at as Date | null) }))
        .sort((x, y) => String(x.session).localeCompare(String(y.session))),
      clocks: clocks
        .map((r) => ({ unit: named(r.unit), category: r.category, subject: named(r.subject_ref), session: named(r.session_id), clock: iso(r.clock_started_at as Date | null) }))
        .sort((x, y) => `${x.unit}/${x.category}`.localeCompare(`${y.unit}/${y.category}`)),
    };
  }

  beforeAll(async () => {
    h = await RetentionHarness.start('lifecycle-batch');
    t0 = new Date(Date.now() - 24 * HOUR_MS);
    counter = new StatementCounter();
    lifecycle = h.service.app.get(LifecycleService);
  });

  afterAll(async () => {
    counter?.detach();
    await h?.close();
  });

  afterEach(() => jest.restoreAllMocks());

  it('applies several events of one session from one fetch in list order, with the same result as one by one', async () => {
    const calls: LifecycleFact[][] = [];
    const apply = lifecycle.apply.bind(lifecycle);
    jest.spyOn(lifecycle, 'apply').mockImplementation(async (m, facts) => {
      calls.push(facts);
      return apply(m, facts);
    });

    const single = names();
    for (const record of scenario(single, t0)) {
      await h.publishAll([record]);
      await waitFor(() => applied([record.event.id]), { what: `event ${record.event.type} applied` });
    }
    const alone = calls.length;
    expect(calls.every((facts) => facts.length === 1)).toBe(true);

    const batch = names();
    const records = scenario(batch, t0);
    await h.publishAll(records);
    await waitFor(() => applied(records.map((r) => r.event.id)), { what: 'the batch applied' });
    const batched = calls.slice(alone);
    // One fetch: the events of one type come to the handler together, several of one session in one call.
    expect(batched.length).toBeLessThan(records.length);
    expect(batched.some((facts) => facts.filter((f) => f.sessionId === batch.A).length >= 2)).toBe(true);

    const expected = await snapshot(single);
    expect(await snapshot(batch)).toEqual(expected);
    const at = (hours: number) => new Date(t0.getTime() + hours * HOUR_MS).toISOString();
    expect(expected.sessions).toEqual([
      { session: 'A', subject: 'a', status: 'approved', statusAt: at(-3), decidedAt: at(-4) },
      { session: 'B', subject: 'b', status: 'approved', statusAt: at(-2), decidedAt: at(-2) },
      { session: 'C', subject: 'g', status: 'approved', statusAt: at(-7), decidedAt: at(-7) },
    ]);
    const clock = (unit: string, category: string) => expected.clocks.find((c) => c.unit === unit && c.category === category);
    expect(clock('A', 'verification_data')).toEqual({ unit: 'A', category: 'verification_data', subject: 'a', session: 'A', clock: at(-4) });
    expect(clock('A', 'screening_data')).toEqual({ unit: 'A', category: 'screening_data', subject: 'a', session: 'A', clock: at(-2) });
    expect(clock('B', 'raw_webhooks')).toEqual({ unit: 'B', category: 'raw_webhooks', subject: 'b', session: 'B', clock: at(-2) });
    expect(clock('subject:g', 'screening_data')).toEqual({ unit: 'subject:g', category: 'screening_data', subject: 'g', session: null, clock: at(-1) });
    expect(expected.clocks).toHaveLength(3 + 1 + 3 + 3 + 1 + 1);
  });

  it('retries only the bad event of a batch: the others are applied, the bad one goes to the retry topic alone', async () => {
    const retries = await new TopicReader(h.namespace, [retryTopicOf(ConsumerGroups.Retention)]).start();
    try {
      const sizes: number[] = [];
      const apply = lifecycle.apply.bind(lifecycle);
      jest.spyOn(lifecycle, 'apply').mockImplementation(async (m, facts) => {
        sizes.push(facts.length);
        return apply(m, facts);
      });
      // One session, so the three events share a partition and come in one fetch.
      const session = randomUUID();
      const subject = ref('good');
      const at = (hours: number) => new Date(t0.getTime() + hours * HOUR_MS);
      // Postgres refuses a NUL character in text: the per-event path failed on it, so must the batch.
      const records = [verificationRecord(session, subject, 'approved', at(1)), verificationRecord(session, 'bad\u0000ref', 'approved', at(2)), verificationRecord(session, subject, 'approved', at(3))];
      const poison = records[1].event.id;
      await h.publishAll(records);

      await waitFor(() => retries.on(retryTopicOf(ConsumerGroups.Retention)).some((r) => r.headers.ce_id === poison), { what: 'the bad event on the retry topic', timeoutMs: 30_000 });
      // The replay sends the bad event to the retry topic before it applies the one after it.
      await waitFor(() => applied([records[0].event.id, records[2].event.id]), { what: 'the good events applied', timeoutMs: 30_000 });
      const [tracked] = await sql<{ subject_ref: string; status_at: Date; decided_at: Date }>(h.databaseUrl, 'SELECT * FROM retention.tracked_sessions WHERE session_id = $1', [session]);
      expect(tracked).toMatchObject({ subject_ref: subject, status_at: at(3), decided_at: at(1) });
      expect(retries.on(retryTopicOf(ConsumerGroups.Retention)).map((r) => r.headers.ce_id)).toEqual([poison]);
      // First the whole fetch in one call, then one event per transaction.
      expect(sizes.slice(0, 4)).toEqual([3, 1, 1, 1]);
    } finally {
      await retries.stop();
    }
  });

  it('runs at most two statements per handler call for the webhook flow (approved, screening requested and completed)', async () => {
    const count = 200;
    const sessions = Array.from({ length: count }, () => ({ session: randomUUID(), subject: ref('flow') }));
    const records = [
      ...sessions.map((s) => verificationRecord(s.session, s.subject, 'approved', t0)),
      ...sessions.flatMap((s) => [screeningRecord('requested', s.subject, s.session, t0), screeningRecord('completed', s.subject, s.session, new Date(t0.getTime() + 1000))]),
    ];
    let calls = 0;
    const apply = lifecycle.apply.bind(lifecycle);
    jest.spyOn(lifecycle, 'apply').mockImplementation(async (m, facts) => {
      calls++;
      return apply(m, facts);
    });
    counter.reset();
    await h.publishAll(records);
    await waitFor(() => applied(records.map((r) => r.event.id)), { what: 'the flow applied', timeoutMs: 60_000 });
    const tally = counter.tally();
    const rows = await sql<{ n: number }>(h.databaseUrl, 'SELECT count(*)::int AS n FROM retention.retention_clocks WHERE session_id = ANY($1) AND clock_started_at IS NOT NULL', [
      sessions.map((s) => s.session),
    ]);
    expect(rows[0].n).toBe(4 * count);
    const perWebhook = (n: number) => Math.round((n / count) * 100) / 100;
    process.stdout.write(
      `retention, ${count} webhooks (${records.length} events): ${tally.transactions} transactions, ${calls} handler calls, ${tally.handlers} handler statements ` +
        `(${perWebhook(tally.handlers)} per webhook), ${tally.total} in all (${perWebhook(tally.total)} per webhook)\n`,
    );
    // At most a read and a write per call, however many events it brings (one by one it was 15 per webhook).
    expect(tally.handlers).toBeLessThanOrEqual(2 * calls);
    expect(calls).toBeLessThan(records.length / 2);
    expect(tally.handlers / count).toBeLessThan(3);
  });
});
