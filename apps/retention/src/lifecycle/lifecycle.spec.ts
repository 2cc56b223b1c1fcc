import { randomUUID } from 'node:crypto';
import { EventSources, EventTypes, newEvent, Topics, type ComplianceAlertRaisedData, type PurgeDueData } from '@compliance/contracts';
import { waitFor } from '@compliance/testing';
import { RetentionHarness, type ApiAnswer } from '../../test/retention-harness';
import { sql } from '@compliance/persistence/testing';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ref = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

describe('lifecycle tracking and scheduled purges (real Kafka, real Postgres)', () => {
  let h: RetentionHarness;
  let t0: Date;
  const at = (offsetMs: number) => new Date(t0.getTime() + offsetMs);
  const s = { A: randomUUID(), B: randomUUID(), C: randomUUID(), D: randomUUID(), F: randomUUID(), N: randomUUID() };
  const subj = { A: ref('anna'), B: ref('bob'), C: ref('carl'), D: ref('dora'), F: ref('fred'), G: ref('gina') };
  let holdId: string;

  const purgesInDb = () =>
    sql<{ unit: string; category: string; n: number }>(h.databaseUrl, 'SELECT unit, category, count(*)::int AS n FROM retention.purges GROUP BY 1, 2 ORDER BY 1, 2');
  const dueOnTopic = () => h.commands(EventTypes.RetentionPurgeDue).map((e) => e.data as PurgeDueData);
  const purgeAlerts = (purgeId: string) =>
    h.reader.events(Topics.ComplianceAlerts).filter((e) => ((e.data as ComplianceAlertRaisedData).details as { purgeId?: string } | undefined)?.purgeId === purgeId);
  const describeDue = (d: PurgeDueData) => `${d.sessionId ?? `subject:${d.subjectRef}`}/${d.category}`;
  const subjectData = async (subjectRef: string): Promise<ApiAnswer['body'][]> => (await h.api('GET', `/subjects/${subjectRef}/retention`, { as: 'analyst' })).body.data;

  beforeAll(async () => {
    h = await RetentionHarness.start('lifecycle');
    t0 = h.clock.now();
    for (const [category, retentionDays] of [['verification_data', 30], ['screening_data', 30], ['raw_webhooks', 60], ['audit_detail', null]] as const) {
      expect((await h.api('PUT', `/policies/${category}`, { body: { retentionDays } })).status).toBe(200);
    }
    holdId = (await h.api('POST', '/legal-holds', { body: { subjectRef: subj.D, reason: 'case 2026-17, public prosecutor' } })).body.id;
    await h.verification(s.A, subj.A, 'approved', at(-HOUR_MS));
    await h.screening(subj.A, s.A, at(-HOUR_MS / 2));
    // Out of order: the later resubmission arrives first; the older decline must not close the session.
    await h.verification(s.B, subj.B, 'resubmitted', at(-HOUR_MS));
    await h.verification(s.B, subj.B, 'declined', at(-2 * HOUR_MS));
    await h.verification(s.C, subj.C, 'in_progress', at(-HOUR_MS));
    await h.verification(s.D, subj.D, 'approved', at(-HOUR_MS));
    await h.verification(s.F, subj.F, 'approved', at(2 * DAY_MS));
    await h.screening(subj.G, undefined, at(-HOUR_MS));
    await h.verification(s.N, undefined, 'abandoned', at(-HOUR_MS));
    const expectedRows = { A: 4, B: 3, C: 3, D: 3, F: 3, G: 1 } as const;
    for (const [k, n] of Object.entries(expectedRows)) {
      await waitFor(async () => (await subjectData(subj[k as keyof typeof subj])).length === n, { what: `what retention knows of ${k}` });
    }
    await waitFor(async () => (await sql(h.databaseUrl, 'SELECT 1 FROM retention.tracked_sessions WHERE session_id = $1', [s.N])).length === 1, { what: 'session N' });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('learns when each clock started: the decision time for a closed session, none while it is open', async () => {
    const anna = await subjectData(subj.A);
    expect(anna.find((d) => d.category === 'verification_data')).toMatchObject({ sessionId: s.A, clockStartedAt: at(-HOUR_MS).toISOString(), dueAt: at(30 * DAY_MS - HOUR_MS).toISOString() });
    expect(anna.find((d) => d.category === 'audit_detail')).toMatchObject({ retentionDays: null, dueAt: null });
    expect((await subjectData(subj.B)).every((d) => d.clockStartedAt === null)).toBe(true);
    expect((await subjectData(subj.C)).every((d) => d.clockStartedAt === null)).toBe(true);
    await h.sweeps(2);
    expect(await purgesInDb()).toEqual([]);
  });

  it('with a 30-day policy and the clock moved 31 days, emits retention.purge.due for exactly the due data', async () => {
    h.clock.advance(31 * DAY_MS);
    const expected = [`${s.A}/screening_data`, `${s.A}/verification_data`, `${s.N}/verification_data`, `subject:${subj.G}/screening_data`].sort();
    await waitFor(() => dueOnTopic().length >= expected.length, { what: 'the purges due' });
    await h.sweeps(2);
    expect((await purgesInDb()).map((p) => `${p.unit}/${p.category}`).sort()).toEqual(expected);
    await waitFor(async () => (await sql(h.databaseUrl, 'SELECT 1 FROM retention.outbox WHERE sent_at IS NULL')).length === 0, { what: 'the outbox drained' });
    expect(dueOnTopic().map(describeDue).sort()).toEqual(expected);

    const annaDue = h.reader.on(Topics.RetentionCommands).find((r) => r.event?.type === EventTypes.RetentionPurgeDue && (r.event.data as PurgeDueData).sessionId === s.A);
    expect(annaDue?.key).toBe(subj.A);
    expect(annaDue?.event?.data).toMatchObject({ dueAt: at(30 * DAY_MS - HOUR_MS).toISOString(), clockStartedBefore: at(DAY_MS).toISOString() });
    // A session's purge names the session only (owners read a subjectRef as all of the subject's data).
    expect((annaDue?.event?.data as PurgeDueData).subjectRef).toBeUndefined();
    const gina = h.reader.on(Topics.RetentionCommands).find((r) => (r.event?.data as PurgeDueData | undefined)?.subjectRef === subj.G);
    expect(gina?.key).toBe(subj.G);
    expect((gina?.event?.data as PurgeDueData).sessionId).toBeUndefined();
    const keyless = dueOnTopic().find((d) => d.sessionId === s.N);
    expect(h.reader.on(Topics.RetentionCommands).find((r) => (r.event?.data as PurgeDueData | undefined)?.purgeId === keyless?.purgeId)?.key).toBe(s.N);
  });

  it('records the owner’s retention.purge.completed and ignores a confirmation from a service that does not own the category', async () => {
    const purge = dueOnTopic().find((d) => d.sessionId === s.A && d.category === 'verification_data') as PurgeDueData;
    for (const service of ['aml-trigger', 'kyc-results']) {
      const data = { purgeId: purge.purgeId, service, category: purge.category, subjectRef: subj.A, sessionId: s.A, counts: { verifications: 1 }, completedAt: h.clock.now().toISOString() };
      await h.publish(Topics.RetentionEvents, subj.A, newEvent({ type: EventTypes.RetentionPurgeCompleted, source: EventSources.KycResults, subject: s.A, data }));
    }
    const done = await waitFor(async () => (await subjectData(subj.A)).find((d) => d.category === 'verification_data' && d.purge?.completedAt), { what: 'the purge completed' });
    expect(done.purge.confirmedBy).toEqual(['kyc-results']);
    expect((await subjectData(subj.A)).find((d) => d.category === 'screening_data')?.purge.completedAt).toBeNull();
  });

  it('sends a purge an owner has not confirmed once more after its deadline, with one purge_overdue alert naming the owner', async () => {
    const screening = dueOnTopic().find((d) => d.sessionId === s.A && d.category === 'screening_data') as PurgeDueData;
    const verification = dueOnTopic().find((d) => d.sessionId === s.A && d.category === 'verification_data') as PurgeDueData;
    const gina = dueOnTopic().find((d) => d.subjectRef === subj.G) as PurgeDueData;
    expect((await h.api('POST', '/legal-holds', { body: { subjectRef: subj.G, reason: 'case 2026-31, inquiry' } })).status).toBe(201);
    await h.sweeps(2);
    expect(purgeAlerts(screening.purgeId)).toEqual([]);

    h.clock.advance(DAY_MS + 1000);
    const alert = await waitFor(() => purgeAlerts(screening.purgeId)[0], { what: 'the purge_overdue alert' });
    expect(alert.data).toMatchObject({
      kind: 'purge_overdue',
      severity: 'medium',
      subjectRef: subj.A,
      sessionId: s.A,
      details: expect.objectContaining({ category: 'screening_data', waitingFor: ['aml-trigger'], resent: true }),
    });
    const sent = await waitFor(() => {
      const copies = dueOnTopic().filter((d) => d.purgeId === screening.purgeId);
      return copies.length === 2 ? copies : undefined;
    }, { what: 'the purge sent again' });
    expect(sent[1]).toEqual(sent[0]);
    await h.sweeps(2);
    expect(purgeAlerts(screening.purgeId)).toHaveLength(1);
    expect(dueOnTopic().filter((d) => d.purgeId === screening.purgeId)).toHaveLength(2);
    // Held since: alerted, not sent again.
    const held = await waitFor(() => purgeAlerts(gina.purgeId)[0], { what: 'the alert for the held subject' });
    expect(held.data).toMatchObject({ subjectRef: subj.G, details: expect.objectContaining({ waitingFor: ['aml-trigger'], resent: false }) });
    expect(dueOnTopic().filter((d) => d.purgeId === gina.purgeId)).toHaveLength(1);
    // Confirmed in time: neither sent again nor alerted.
    expect(purgeAlerts(verification.purgeId)).toEqual([]);
    expect(dueOnTopic().filter((d) => d.purgeId === verification.purgeId)).toHaveLength(1);
  });

  it('does not purge a held subject, and purges it once the hold is lifted', async () => {
    expect(dueOnTopic().some((d) => d.sessionId === s.D)).toBe(false);
    expect((await h.api('DELETE', `/legal-holds/${holdId}`)).status).toBe(200);
    await waitFor(() => dueOnTopic().some((d) => d.sessionId === s.D && d.category === 'verification_data'), { what: 'the purge of the released subject' });
  });

  it('never purges indefinite data or open sessions, and purges each piece of data once, even decades later', async () => {
    h.clock.advance(20 * 365 * DAY_MS);
    await waitFor(() => dueOnTopic().some((d) => d.sessionId === s.F && d.category === 'raw_webhooks'), { what: 'the purges due decades later' });
    await h.sweeps(2);
    const purges = await purgesInDb();
    expect(purges.every((p) => p.n === 1)).toBe(true);
    expect(purges.filter((p) => p.category === 'audit_detail')).toEqual([]);
    expect(purges.filter((p) => p.unit === s.B || p.unit === s.C)).toEqual([]);
    expect(purges.map((p) => `${p.unit}/${p.category}`)).toEqual(
      expect.arrayContaining([`${s.F}/verification_data`, `${s.A}/raw_webhooks`, `${s.D}/raw_webhooks`, `${s.F}/raw_webhooks`, `${s.N}/raw_webhooks`]),
    );
    expect(purges).toHaveLength(10);
  });
});
