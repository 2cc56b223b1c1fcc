import { randomUUID } from 'node:crypto';
import { EventSources, EventTypes, newEvent, Topics, type ErasureRequestedData, type PurgeDueData } from '@compliance/contracts';
import { waitFor } from '@compliance/testing';
import { newSession, sessionReport, statusOnly } from '../../test/didit-reports';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';
import { TEST_API_KEYS } from '@compliance/platform/testing';

const NOW = Math.floor(Date.now() / 1000);
const YEARS_AGO = NOW - 3 * 365 * 86_400;

describe('kyc-results retention: erasure and purge (real Kafka, real Postgres)', () => {
  let kyc: KycHarness;
  const command = <T>(type: string, subject: string, data: T) => newEvent({ type, source: EventSources.Retention, subject, data });
  const answer = (type: string, match: (d: any) => boolean) =>
    waitFor(() => kyc.reader.events(Topics.RetentionEvents).find((e) => e.type === type && match(e.data)), { what: `${type}` });
  const allSent = (keys: string[]) =>
    waitFor(async () => (await kyc.query('SELECT count(*)::int AS n FROM outbox WHERE key = ANY($1) AND sent_at IS NULL', [keys]))[0].n === 0, { what: 'outbox sent' });

  beforeAll(async () => {
    kyc = await startKycResults('kycretain');
  });
  afterAll(() => kyc?.stop());

  it("erases a subject's identity and personal data, keeps the statuses, and confirms with counts", async () => {
    const first = newSession();
    const second = newSession(first.subjectRef);
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', first, NOW)), gatewayEvent(sessionReport('v3-in-review-aml-hit', second, NOW)));
    await kyc.waitForEvents(first.sessionId, 1);
    await kyc.waitForEvents(second.sessionId, 1);
    await allSent([first.sessionId, second.sessionId]);
    const data: ErasureRequestedData = {
      requestId: randomUUID(),
      subjectRef: first.subjectRef,
      reason: 'data subject request',
      expectedServices: ['kyc-results'],
      requestedAt: new Date().toISOString(),
    };
    await kyc.publish(Topics.RetentionCommands, first.subjectRef, command(EventTypes.RetentionErasureRequested, first.subjectRef, data));
    const done = await answer(EventTypes.RetentionErasureCompleted, (d) => d.requestId === data.requestId);
    expect(done.data).toMatchObject({ service: 'kyc-results', subjectRef: first.subjectRef, counts: { identity_attributes: 2, verification_sessions: 2, outbox: 2 } });
    expect(done.subject).toBe(first.subjectRef);
    const { body } = await kyc.api(`/verifications/${first.sessionId}`, TEST_API_KEYS.admin);
    expect(body).toMatchObject({ status: 'approved', subjectRef: null, identity: null, decision: null, erasedAt: expect.any(String) });
    expect(body.history).toHaveLength(1);
    expect(await kyc.query('SELECT * FROM identity_attributes WHERE session_id = ANY($1)', [[first.sessionId, second.sessionId]])).toEqual([]);
    expect(await kyc.query('SELECT * FROM outbox WHERE key = ANY($1)', [[first.sessionId, second.sessionId]])).toEqual([]);

    // Repeating is harmless, and a late webhook of an erased session does not bring the person back.
    const again = { ...data, requestId: randomUUID() };
    await kyc.publish(Topics.RetentionCommands, first.subjectRef, command(EventTypes.RetentionErasureRequested, first.subjectRef, again));
    const repeat = await answer(EventTypes.RetentionErasureCompleted, (d) => d.requestId === again.requestId);
    expect((repeat.data as { counts: object }).counts).toMatchObject({ identity_attributes: 0, verification_sessions: 0 });
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', second, NOW + 60)));
    const [late] = (await kyc.waitForEvents(second.sessionId, 2)).slice(1);
    expect(late.data).toMatchObject({ status: 'approved' });
    expect(late.data.identity).toBeUndefined();
    expect(late.data.subjectRef).toBeUndefined();
    expect(await kyc.query('SELECT * FROM identity_attributes WHERE session_id = $1', [second.sessionId])).toEqual([]);
  });

  it('purges verification data whose retention clock started before the cut-off, keeps the rest, and confirms', async () => {
    const old = newSession();
    const recent = newSession(old.subjectRef);
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', old, YEARS_AGO)), gatewayEvent(statusOnly('Declined', recent, NOW)));
    await kyc.historyCount(old.sessionId, 1);
    await kyc.historyCount(recent.sessionId, 1);
    await allSent([old.sessionId, recent.sessionId]);
    const cutOff = new Date((NOW - 365 * 86_400) * 1000).toISOString();
    const notOurs: PurgeDueData = { purgeId: randomUUID(), category: 'screening_data', subjectRef: old.subjectRef, clockStartedBefore: cutOff, dueAt: cutOff };
    const ours: PurgeDueData = { ...notOurs, purgeId: randomUUID(), category: 'verification_data' };
    for (const data of [notOurs, ours]) await kyc.publish(Topics.RetentionCommands, old.subjectRef, command(EventTypes.RetentionPurgeDue, old.subjectRef, data));
    const done = await answer(EventTypes.RetentionPurgeCompleted, (d) => d.purgeId === ours.purgeId);
    expect(done.data).toMatchObject({
      service: 'kyc-results',
      category: 'verification_data',
      subjectRef: old.subjectRef,
      counts: { identity_attributes: 1, verification_status_history: 1, verification_sessions: 1, outbox: 1 },
    });
    expect((await kyc.api(`/verifications/${old.sessionId}`, TEST_API_KEYS.admin)).status).toBe(404);
    expect((await kyc.api(`/verifications/${recent.sessionId}`, TEST_API_KEYS.admin)).status).toBe(200);
    // Purging another category is another service's job: no answer from kyc-results.
    expect(kyc.reader.events(Topics.RetentionEvents).filter((e) => e.data && (e.data as PurgeDueData).purgeId === notOurs.purgeId)).toEqual([]);
  });
});
