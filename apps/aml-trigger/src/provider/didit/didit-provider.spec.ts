import { EventTypes, Topics } from '@compliance/contracts';
import { waitFor } from '@compliance/testing';
import { AmlHarness, approvedEvent } from '../../../test/aml-test-harness';
import { cleanResult, FakeDiditServer, hitResult } from '../../../test/fake-didit.server';
import { TEST_API_KEYS } from '@compliance/platform/testing';

const COMPLETED = EventTypes.AmlScreeningCompleted;
const bySession = (sessionId: string) => (d: Record<string, unknown>) => d.sessionId === sessionId;
const person = (fullName: string) => ({ fullName, dateOfBirth: '1971-03-04', nationality: 'ES', documentNumber: 'P7654321' });

describe('aml-trigger with AML_PROVIDER=didit against a fake Didit (real Kafka, Postgres, HTTP)', () => {
  const fake = new FakeDiditServer();
  const h = new AmlHarness('amldidit');

  beforeAll(async () => {
    await fake.start();
    await h.start({
      AML_PROVIDER: 'didit',
      DIDIT_API_KEY: 'test-didit-key',
      DIDIT_BASE_URL: fake.url,
      DIDIT_TIMEOUT_MS: '1000',
      DIDIT_MAX_ATTEMPTS: '3',
      DIDIT_RETRY_BASE_MS: '50',
    });
  });
  afterAll(async () => {
    await h.stop();
    await fake.stop();
  });

  it('maps Didit’s hits into the screening result and alerts on them', async () => {
    fake.script('Didit Hit Person', [{ body: hitResult('didit-req-1', { id: 'ent-77', caption: 'Didit Hitt Person', matchScore: 97, riskScore: 85 }) }]);
    const approval = approvedEvent({ identity: person('Didit Hit Person') });
    await h.publishKyc(approval);
    const [completed] = await h.waitForEvents(Topics.AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    expect(completed.data).toMatchObject({ provider: 'didit', trigger: 'approval', outcome: 'review', score: 0.97, providerReference: 'didit-req-1' });
    // Didit's own "False Positive" hit is left out.
    expect(completed.data.hits).toEqual([expect.objectContaining({ list: 'didit', entityId: 'ent-77', matchedName: 'Didit Hitt Person', riskScore: 85, datasets: ['Sanctions', 'PEP'] })]);
    const [call] = fake.callsFor('Didit Hit Person');
    expect(call.headers['idempotency-key']).toBe(completed.data.screeningId);
    expect(call.body).toEqual({ full_name: 'Didit Hit Person', date_of_birth: '1971-03-04', nationality: 'ES', document_number: 'P7654321', entity_type: 'person' });
    const [alert] = await h.waitForEvents(Topics.ComplianceAlerts, EventTypes.ComplianceAlertRaised, bySession(approval.data.sessionId));
    expect(alert.data).toMatchObject({ kind: 'aml_review', severity: 'medium', screeningId: completed.data.screeningId });
  });

  it('retries 5xx answers with backoff and completes once Didit recovers', async () => {
    fake.script('Flaky Person', [{ status: 503 }, { status: 500 }, { body: cleanResult('x') }]);
    const approval = approvedEvent({ identity: person('Flaky Person') });
    await h.publishKyc(approval);
    const [completed] = await h.waitForEvents(Topics.AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    expect(completed.data).toMatchObject({ provider: 'didit', outcome: 'clear', hits: [] });
    expect(new Set(fake.callsFor('Flaky Person').map((c) => c.headers['idempotency-key']))).toEqual(new Set([completed.data.screeningId]));
    const view = await h.http(`/screenings/${completed.data.screeningId}`, { key: TEST_API_KEYS.analyst });
    expect(view.body).toMatchObject({ status: 'completed', attempts: 3 });
  });

  it('abandons a call that times out and completes on the retry', async () => {
    fake.script('Slow Person', [{ delayMs: 3000, body: cleanResult('x') }, { body: cleanResult('x') }]);
    const approval = approvedEvent({ identity: person('Slow Person') });
    await h.publishKyc(approval);
    const [completed] = await h.waitForEvents(Topics.AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    expect(completed.data).toMatchObject({ outcome: 'clear' });
    expect(fake.callsFor('Slow Person')).toHaveLength(2);
  });

  it('publishes aml.screening.failed and alerts a human when retries are exhausted', async () => {
    fake.script('Down Person', [{ status: 500 }]);
    const approval = approvedEvent({ identity: person('Down Person') });
    await h.publishKyc(approval);
    const [failed] = await h.waitForEvents(Topics.AmlScreenings, EventTypes.AmlScreeningFailed, bySession(approval.data.sessionId));
    expect(failed.data).toMatchObject({ provider: 'didit', attempts: 3, reason: expect.stringMatching(/HTTP 500/) });
    expect(fake.callsFor('Down Person')).toHaveLength(3);
    const [alert] = await h.waitForEvents(Topics.ComplianceAlerts, EventTypes.ComplianceAlertRaised, bySession(approval.data.sessionId));
    expect(alert.data).toMatchObject({ kind: 'aml_screening_failed', severity: 'high', screeningId: failed.data.screeningId });
    expect(h.events(Topics.AmlScreenings, COMPLETED, bySession(approval.data.sessionId))).toHaveLength(0);
  });

  it('answers an ad hoc screening with 202 and completes it in the background', async () => {
    const res = await h.http('/screenings', { method: 'POST', key: TEST_API_KEYS.analyst, body: { subjectRef: 'adhoc-didit', fullName: 'Adhoc Person' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ provider: 'didit', trigger: 'adhoc' });
    const done = await waitFor(async () => {
      const view = await h.http(`/screenings/${res.body.id}`, { key: TEST_API_KEYS.analyst });
      return view.body.status === 'completed' && view.body;
    }, { what: 'the ad hoc screening completed' });
    expect(done).toMatchObject({ outcome: 'clear', input: { fullName: 'A••• P•••' } });
  });

  it('leaves list management to the provider', async () => {
    expect((await h.http('/lists', { key: TEST_API_KEYS.analyst })).body).toMatchObject({ provider: 'didit', lists: [] });
    expect((await h.http('/lists/reload', { method: 'POST', key: TEST_API_KEYS.admin })).status).toBe(409);
  });
});
