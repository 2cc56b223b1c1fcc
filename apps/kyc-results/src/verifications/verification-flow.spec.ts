import { traceIdOf } from '@compliance/contracts';
import { OutboxRelay } from '@compliance/messaging';
import { asV2, newSession, redelivered, sessionReport, statusOnly } from '../../test/didit-reports';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';
import { TEST_API_KEYS } from '@compliance/platform/testing';

const T0 = 1_767_225_600;

describe('kyc-results: webhooks to the verification record (real Kafka, real Postgres)', () => {
  let kyc: KycHarness;
  const view = async (sessionId: string) => (await kyc.api(`/verifications/${sessionId}`, TEST_API_KEYS.admin)).body;
  const eventsOf = (sessionId: string, n: number) => kyc.waitForEvents(sessionId, n);

  beforeAll(async () => {
    kyc = await startKycResults('kycflow');
  });
  afterAll(() => kyc?.stop());

  it('turns a Didit v3 Approved webhook into an approved session over HTTP and a kyc.verification.approved event', async () => {
    const session = newSession();
    const received = gatewayEvent(sessionReport('v3-approved', session, T0));
    await kyc.deliver(received);
    const [event] = await eventsOf(session.sessionId, 1);
    expect(event.type).toBe('kyc.verification.approved');
    expect(traceIdOf(event.traceparent)).toBe(traceIdOf(received.traceparent));
    expect(event.data).toMatchObject({
      sessionId: session.sessionId,
      subjectRef: session.subjectRef,
      provider: 'didit',
      status: 'approved',
      previousStatus: null,
      change: 'transition',
      terminal: true,
      occurredAt: new Date(T0 * 1000).toISOString(),
      decision: { documentType: 'Passport', issuingCountry: 'ESP', livenessScore: 96, faceMatchScore: 91.2, ipRiskFlags: [], providerAml: { status: 'Approved', totalHits: 0, score: 0 } },
      identity: { fullName: 'Ana Núñez García', dateOfBirth: '1990-04-02', nationality: 'ESP', documentNumber: 'X1234567' },
    });
    const record = kyc.reader.on('kyc.verifications.v1').find((r) => r.event?.id === event.id);
    expect(record?.key).toBe(session.sessionId);
    const body = await view(session.sessionId);
    expect(body).toMatchObject({ status: 'approved', providerStatus: 'Approved', subjectRef: session.subjectRef, decision: { documentType: 'Passport' } });
    expect(body.history).toEqual([expect.objectContaining({ status: 'approved', outcome: 'transition', stale: false, payloadVersion: 'didit-v3' })]);
  });

  it('records the same content delivered twice, also under a new event_id, as one transition and one event', async () => {
    const session = newSession();
    const approved = sessionReport('v3-approved', session, T0);
    const again = redelivered(approved);
    // The gateway's deterministic id makes the inbox drop the first two; the last one bypassed the
    // gateway's dedupe under another id and is caught by the content fingerprint.
    await kyc.deliver(gatewayEvent(approved), gatewayEvent(approved), gatewayEvent(again), gatewayEvent(again, { id: 'bypassed-gateway-dedupe' }));
    await kyc.deliver(gatewayEvent(statusOnly('Kyc Expired', session, T0 + 100)));
    const events = await eventsOf(session.sessionId, 2);
    expect(events.map((e) => e.type)).toEqual(['kyc.verification.approved', 'kyc.verification.kyc_expired']);
    expect((await view(session.sessionId)).history.map((h: { outcome: string }) => h.outcome)).toEqual(['transition', 'transition']);
  });

  it('keeps an approved session approved when an older In Progress arrives late, and shows the late one as stale', async () => {
    const session = newSession();
    // The relay deletes what it sends: held, the outbox shows everything the two reports announced.
    const relay = kyc.get(OutboxRelay);
    await relay.stop();
    try {
      await kyc.deliver(gatewayEvent(sessionReport('v3-approved', session, T0)), gatewayEvent(statusOnly('In Progress', session, T0 - 60)));
      await kyc.historyCount(session.sessionId, 2);
      const body = await view(session.sessionId);
      expect(body).toMatchObject({ status: 'approved', transitions: 1 });
      expect(body.history[1]).toMatchObject({ status: 'in_progress', providerStatus: 'In Progress', outcome: 'stale', stale: true });
      // What was announced (the reads above are recorded too, as kyc.identity.accessed).
      const outbox = await kyc.query("SELECT headers->>'ce_type' AS type FROM outbox WHERE key = $1 AND headers->>'ce_type' LIKE 'kyc.verification.%'", [session.sessionId]);
      expect(outbox.map((r) => r.type)).toEqual(['kyc.verification.approved']);
    } finally {
      relay.start();
      relay.kick();
    }
  });

  it('reads a v2 payload (singular keys) into the same record and event as its v3 twin', async () => {
    const v3 = newSession();
    const v2 = newSession(v3.subjectRef);
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', v3, T0)), gatewayEvent(asV2(sessionReport('v3-approved', v2, T0))));
    const [e3] = await eventsOf(v3.sessionId, 1);
    const [e2] = await eventsOf(v2.sessionId, 1);
    expect(e2.data.decision).toEqual(e3.data.decision);
    expect(e2.data.identity).toEqual(e3.data.identity);
    const [b3, b2] = [await view(v3.sessionId), await view(v2.sessionId)];
    expect(b2).toMatchObject({ status: 'approved', decision: b3.decision, identity: b3.identity });
    expect(b2.history[0].payloadVersion).toBe('didit-v2');
  });

  it('reads the v2 Declined example: scores, IP risk flags and the provider AML summary', async () => {
    const session = newSession();
    await kyc.deliver(gatewayEvent(sessionReport('v2-declined', session, T0)));
    const [event] = await eventsOf(session.sessionId, 1);
    expect(event.type).toBe('kyc.verification.declined');
    expect(event.data.decision).toEqual({
      documentType: 'Driving License',
      issuingCountry: 'GBR',
      livenessScore: 31,
      faceMatchScore: 22.4,
      ipRiskFlags: ['vpn'],
      providerAml: { status: 'Approved', totalHits: 0, score: 0 },
    });
    // Identity travels on approvals and identity changes only.
    expect(event.data.identity).toBeUndefined();
  });

  it('applies data.updated to the decision data without a status change and announces the new identity', async () => {
    const session = newSession();
    const approved = sessionReport('v3-approved', session, T0);
    const corrected = structuredClone(approved);
    corrected.webhook_type = 'data.updated';
    corrected.event_id = 'corrected';
    corrected.created_at = T0 + 300;
    corrected.decision.id_verifications[0].last_name = 'Núñez Gómez';
    await kyc.deliver(gatewayEvent(approved), gatewayEvent(corrected));
    const events = await eventsOf(session.sessionId, 2);
    expect(events[1].type).toBe('kyc.verification.approved');
    expect(events[1].data).toMatchObject({ change: 'data_updated', status: 'approved', identity: { fullName: 'Ana Núñez Gómez' } });
    const body = await view(session.sessionId);
    expect(body).toMatchObject({ status: 'approved', transitions: 1, identity: { fullName: 'Ana Núñez Gómez' } });
    expect(body.history[1]).toMatchObject({ outcome: 'data_updated', webhookType: 'data.updated', decisionApplied: true });
  });

  it('applies data.updated that arrives before the session’s first status once the status is known', async () => {
    const session = newSession();
    const early = { ...sessionReport('v3-approved', session, T0 + 50), webhook_type: 'data.updated', status: undefined };
    await kyc.deliver(gatewayEvent(early), gatewayEvent(statusOnly('In Review', session, T0)));
    await kyc.historyCount(session.sessionId, 2);
    const body = await view(session.sessionId);
    expect(body).toMatchObject({ status: 'in_review', decision: { documentType: 'Passport' }, identity: { fullName: 'Ana Núñez García' } });
    expect(body.history.map((h: { outcome: string }) => h.outcome)).toEqual(['transition', 'data_updated']);
  });

  it('announces a status reached again after Resubmitted as a new transition', async () => {
    const session = newSession();
    await kyc.deliver(
      gatewayEvent(sessionReport('v3-approved', session, T0)),
      gatewayEvent(statusOnly('Resubmitted', session, T0 + 10)),
      gatewayEvent(statusOnly('In Progress', session, T0 + 20)),
      gatewayEvent(sessionReport('v3-approved', session, T0 + 30)),
    );
    const events = await eventsOf(session.sessionId, 4);
    expect(events.map((e) => [e.data.status, e.data.previousStatus, e.data.change])).toEqual([
      ['approved', null, 'transition'],
      ['resubmitted', 'approved', 'transition'],
      ['in_progress', 'resubmitted', 'transition'],
      ['approved', 'in_progress', 'transition'],
    ]);
    expect(events[3].data.identity?.fullName).toBe('Ana Núñez García');
  });
});
