import { randomUUID } from 'node:crypto';
import { ConsumerGroups, dlqTopicOf, EventSources, EventTypes, newEvent, Topics, type DomainEvent, type ErasureRequestedData, type PurgeDueData, type WebhookReceivedData } from '@compliance/contracts';
import { waitFor } from '@compliance/testing';
import { newSession, sessionReport, statusOnly } from '../../test/didit-reports';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';
import { OutboxRelay } from '@compliance/messaging';
import { ServiceRuntime } from '@compliance/platform';
import { TEST_API_KEYS } from '@compliance/platform/testing';

const NOW = Math.floor(Date.now() / 1000);
const YEARS_AGO = NOW - 3 * 365 * 86_400;

describe('kyc-results retention: erasure and purge (real Kafka, real Postgres)', () => {
  let kyc: KycHarness;
  const command = <T>(type: string, subject: string, data: T) => newEvent({ type, source: EventSources.Retention, subject, data });
  const answer = (type: string, match: (d: any) => boolean) =>
    waitFor(() => kyc.reader.events(Topics.RetentionEvents).find((e) => e.type === type && match(e.data)), { what: `${type}` });
  // The relay deletes a row once Kafka has it: no copy of a published event stays in the outbox.
  const allSent = (keys: string[]) =>
    waitFor(async () => (await kyc.query('SELECT count(*)::int AS n FROM outbox WHERE key = ANY($1)', [keys]))[0].n === 0, { what: 'outbox sent and emptied' });

  const erasure = (subjectRef: string, sessionIds?: string[]): ErasureRequestedData => ({
    requestId: randomUUID(),
    subjectRef,
    ...(sessionIds ? { sessionIds } : {}),
    reason: 'data subject request',
    expectedServices: ['kyc-results'],
    requestedAt: new Date().toISOString(),
  });
  const erase = async (data: ErasureRequestedData) => {
    await kyc.publish(Topics.RetentionCommands, data.subjectRef, command(EventTypes.RetentionErasureRequested, data.subjectRef, data));
    await waitFor(async () => (await kyc.query('SELECT 1 FROM erasure_tombstones WHERE request_id = $1', [data.requestId])).length > 0, { what: 'erasure applied' });
  };
  /** Every place the person could still be in kyc-results' database, as text. */
  const stored = async (sessionIds: string[]) =>
    JSON.stringify([
      await kyc.query('SELECT * FROM verification_sessions WHERE session_id = ANY($1)', [sessionIds]),
      await kyc.query('SELECT * FROM verification_status_history WHERE session_id = ANY($1)', [sessionIds]),
      await kyc.query('SELECT * FROM identity_attributes WHERE session_id = ANY($1)', [sessionIds]),
      await kyc.query('SELECT * FROM outbox WHERE key = ANY($1)', [sessionIds]),
      await kyc.query('SELECT * FROM erasure_tombstones'),
    ]);

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
    expect(done.data).toMatchObject({ service: 'kyc-results', subjectRef: first.subjectRef, counts: { identity_attributes: 2, verification_sessions: 2, outbox: 0 } });
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
      counts: { identity_attributes: 1, verification_status_history: 1, verification_sessions: 1, outbox: 0 },
    });
    expect((await kyc.api(`/verifications/${old.sessionId}`, TEST_API_KEYS.admin)).status).toBe(404);
    expect((await kyc.api(`/verifications/${recent.sessionId}`, TEST_API_KEYS.admin)).status).toBe(200);
    // Purging another category is another service's job: no answer from kyc-results.
    expect(kyc.reader.events(Topics.RetentionEvents).filter((e) => e.data && (e.data as PurgeDueData).purgeId === notOurs.purgeId)).toEqual([]);
  });

  it('takes the person out of events not published yet: they go out without identity, subject or decision, and are counted', async () => {
    const session = newSession();
    const relay = kyc.get(OutboxRelay);
    await relay.stop();
    try {
      await kyc.deliver(gatewayEvent(sessionReport('v3-approved', session, NOW)));
      const unsent = () => kyc.query<{ value: string }>('SELECT value FROM outbox WHERE key = $1 AND sent_at IS NULL', [session.sessionId]);
      await waitFor(async () => (await unsent()).length === 1, { what: 'the approval waiting in the outbox' });
      const [before] = await unsent();
      expect(JSON.parse(before.value)).toMatchObject({ subjectRef: session.subjectRef, identity: { fullName: expect.any(String) }, decision: expect.any(Object) });

      const data = erasure(session.subjectRef);
      await erase(data);
      const [after] = await unsent();
      const event = JSON.parse(after.value);
      expect(event).toMatchObject({ sessionId: session.sessionId, status: 'approved', change: 'transition', terminal: true });
      for (const field of ['identity', 'subjectRef', 'decision']) expect(event).not.toHaveProperty(field);
      for (const personal of [session.subjectRef, 'Núñez', 'X1234567', '1990-04-02']) expect(after.value).not.toContain(personal);
    } finally {
      relay.start();
    }
    relay.kick();
    const [published] = await kyc.waitForEvents(session.sessionId, 1);
    expect(published.type).toBe('kyc.verification.approved');
    expect(published.data).toMatchObject({ sessionId: session.sessionId, status: 'approved' });
    for (const field of ['identity', 'subjectRef', 'decision']) expect(published.data).not.toHaveProperty(field);
    const done = await answer(EventTypes.RetentionErasureCompleted, (d) => d.subjectRef === session.subjectRef);
    expect((done.data as { counts: object }).counts).toMatchObject({ identity_attributes: 1, verification_sessions: 1, outbox: 0, outbox_redacted: 1, tombstones: 2 });
  });

  it('records a webhook that arrives after its subject or session was erased without the person: status and history, no identity, subject or decision', async () => {
    const named = newSession(); // named by the erasure, not recorded yet
    const later = newSession(named.subjectRef); // another session of the erased subject, first seen after the erasure
    const unnamed = { sessionId: randomUUID(), subjectRef: named.subjectRef }; // recorded before without a subject, tied to it after
    await kyc.deliver(gatewayEvent(sessionReport('v3-in-review-aml-hit', unnamed, NOW - 60, { vendor_data: undefined })));
    await kyc.waitForEvents(unnamed.sessionId, 1);
    expect(await kyc.query('SELECT 1 FROM identity_attributes WHERE session_id = $1', [unnamed.sessionId])).toHaveLength(1);

    const data = erasure(named.subjectRef, [named.sessionId]);
    await erase(data);
    const done = await answer(EventTypes.RetentionErasureCompleted, (d) => d.requestId === data.requestId);
    expect((done.data as { counts: object }).counts).toMatchObject({ identity_attributes: 0, verification_sessions: 0, tombstones: 2 });

    await kyc.deliver(
      gatewayEvent(sessionReport('v3-approved', named, NOW)),
      gatewayEvent(sessionReport('v3-approved', later, NOW)),
      gatewayEvent(sessionReport('v3-approved', unnamed, NOW)),
    );
    const ids = [named.sessionId, later.sessionId, unnamed.sessionId];
    for (const id of ids) {
      const events = await kyc.waitForEvents(id, id === unnamed.sessionId ? 2 : 1);
      const approved = events[events.length - 1];
      expect(approved.data).toMatchObject({ sessionId: id, status: 'approved', terminal: true });
      for (const field of ['identity', 'subjectRef', 'decision']) expect(approved.data).not.toHaveProperty(field);
    }
    const sessions = await kyc.query('SELECT session_id, status, subject_ref, document_type, liveness_score, erased_at FROM verification_sessions WHERE session_id = ANY($1)', [ids]);
    expect(sessions).toHaveLength(3);
    for (const row of sessions) expect(row).toMatchObject({ status: 'approved', subject_ref: null, document_type: null, liveness_score: null, erased_at: expect.any(Date) });
    expect(await kyc.query('SELECT session_id FROM identity_attributes WHERE session_id = ANY($1)', [ids])).toEqual([]);
    await allSent(ids);
    const everything = await stored(ids);
    for (const personal of [named.subjectRef, 'Núñez', 'X1234567', '1990-04-02', 'Viktor', 'Orlov', 'AB998877', '1969-11-23']) expect(everything).not.toContain(personal);
    expect((await kyc.api(`/subjects/${encodeURIComponent(named.subjectRef)}/verifications`, TEST_API_KEYS.admin)).status).toBe(404);
    const { body } = await kyc.api(`/verifications/${later.sessionId}`, TEST_API_KEYS.admin);
    expect(body).toMatchObject({ status: 'approved', subjectRef: null, identity: null, decision: null, erasedAt: expect.any(String) });
  });

  it('moves the status on a webhook the gateway published without its payload (its subject erased before): no person, no dead letter', async () => {
    const session = newSession();
    const data = erasure(session.subjectRef);
    await erase(data);
    await answer(EventTypes.RetentionErasureCompleted, (d) => d.requestId === data.requestId);
    // What the gateway publishes for an erased subject: the routing fields, an empty payload, `redacted`.
    const redacted = (payload: Record<string, unknown>): DomainEvent<WebhookReceivedData> => {
      const event = gatewayEvent(payload);
      return { ...event, data: { ...event.data, subjectRef: session.subjectRef, status: payload.status as string, webhookType: payload.webhook_type as string, payload: {}, redacted: true } };
    };
    const inReview = redacted(sessionReport('v3-in-review-aml-hit', session, NOW - 60));
    const approved = redacted(sessionReport('v3-approved', session, NOW));
    await kyc.deliver(inReview, approved);
    const events = await kyc.waitForEvents(session.sessionId, 2);
    expect(events.map((e) => e.type)).toEqual(['kyc.verification.in_review', 'kyc.verification.approved']);
    for (const e of events) for (const field of ['identity', 'subjectRef', 'decision']) expect(e.data).not.toHaveProperty(field);
    const [row] = await kyc.query('SELECT status, subject_ref, document_type, erased_at FROM verification_sessions WHERE session_id = $1', [session.sessionId]);
    expect(row).toMatchObject({ status: 'approved', subject_ref: null, document_type: null, erased_at: expect.any(Date) });
    const history = await kyc.query('SELECT status, payload_version FROM verification_status_history WHERE session_id = $1 ORDER BY occurred_at', [session.sessionId]);
    expect(history).toEqual([
      { status: 'in_review', payload_version: 'didit-redacted' },
      { status: 'approved', payload_version: 'didit-redacted' },
    ]);
    expect(await kyc.query('SELECT 1 FROM identity_attributes WHERE session_id = $1', [session.sessionId])).toEqual([]);
    expect(kyc.reader.events(dlqTopicOf(ConsumerGroups.KycResults)).filter((e) => e.id === inReview.id || e.id === approved.id)).toEqual([]);
  });

  it('has the runtime\'s inbox pruner: a round deletes rows older than INBOX_RETENTION_DAYS, keeps newer ones, and counts them in /metrics', async () => {
    const pruner = kyc.get(ServiceRuntime).inboxPruner;
    expect(pruner).toBeDefined();
    const [old, recent] = [`old-${randomUUID()}`, `recent-${randomUUID()}`];
    await kyc.query(`INSERT INTO inbox (consumer, event_id, received_at) VALUES ('kyc-results', $1, now() - interval '46 days'), ('kyc-results', $2, now() - interval '44 days')`, [old, recent]);
    expect(await pruner?.pruneRound()).toBe(1);
    expect((await kyc.query('SELECT event_id FROM inbox WHERE event_id = ANY($1)', [[old, recent]])).map((r) => r.event_id)).toEqual([recent]);
    expect((await kyc.api('/metrics')).body).toMatch(/messaging_inbox_pruned_total\{service="kyc-results"\} [1-9]/);
  });
});
