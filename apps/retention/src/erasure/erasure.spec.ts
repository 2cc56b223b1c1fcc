import { randomBytes, randomUUID } from 'node:crypto';
import { DATA_HOLDING_SERVICES, DataKeyDestroyedError, EventTypes, isSealed, openEvent, Topics, type ComplianceAlertRaisedData, type DomainEvent, type ErasureRequestedData } from '@compliance/contracts';
import { LocalKeyring } from '@compliance/persistence';
import { sql } from '@compliance/persistence/testing';
import { waitFor } from '@compliance/testing';
import { FakeDidit } from '../../test/fake-didit.server';
import { RetentionHarness } from '../../test/retention-harness';

const HOUR_MS = 3_600_000;
const subjectRef = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

describe('erasure requests (real Kafka, real Postgres, fake Didit)', () => {
  let h: RetentionHarness;
  let didit: FakeDidit;

  const report = async (id: string) => (await h.api('GET', `/erasure-requests/${id}`, { as: 'analyst' })).body;
  const requested = (id: string) => h.commands(EventTypes.RetentionErasureRequested).find((e) => (e.data as ErasureRequestedData).requestId === id);
  const finishedEvents = (id: string) => h.events(EventTypes.RetentionErasureFinished).filter((e) => (e.data as { requestId: string }).requestId === id);
  const overdueAlerts = (id: string) =>
    h.reader.events(Topics.ComplianceAlerts).filter((e: DomainEvent) => (e.data as ComplianceAlertRaisedData).erasureRequestId === id);

  async function knownSessions(ref: string, sessions: string[]): Promise<void> {
    for (const s of sessions) await h.verification(s, ref, 'approved', new Date(h.clock.now().getTime() - HOUR_MS));
    await waitFor(async () => (await h.api('GET', `/subjects/${ref}/retention`, { as: 'analyst' })).body.data.length === sessions.length * 3, { what: 'the sessions known' });
  }

  async function confirmAll(id: string, ref: string, services: readonly string[] = DATA_HOLDING_SERVICES): Promise<void> {
    for (const service of services) await h.confirmErasure(id, ref, service, { rows: 2 });
  }

  const MASTER = randomBytes(32).toString('base64');
  const keyring = () => new LocalKeyring({ query: (text: string, params?: unknown[]) => sql(h.databaseUrl, text, params) }, MASTER);

  beforeAll(async () => {
    didit = await FakeDidit.start(2000);
    h = await RetentionHarness.start('erasure', {
      RETENTION_ERASURE_DEADLINE_MS: String(HOUR_MS),
      RETENTION_PROVIDER_DELETE: 'true',
      DIDIT_API_KEY: 'didit-test-key',
      DIDIT_BASE_URL: didit.url,
      RETENTION_PROVIDER_TIMEOUT_MS: '300',
      RETENTION_PROVIDER_RETRY_DELAY_MS: '20',
      KEYRING_MASTER_KEY: MASTER,
    });
  });

  afterAll(async () => {
    await h?.close();
    await didit?.close();
  });

  it('accepts a request only from an admin and with a subject and a reason', async () => {
    expect((await h.api('POST', '/erasure-requests', { as: 'analyst', body: { subjectRef: 'x', reason: 'gdpr' } })).status).toBe(403);
    const missing = await h.api('POST', '/erasure-requests', { body: { subjectRef: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('reason is required');
    expect((await h.api('GET', `/erasure-requests/${randomUUID()}`, { as: 'analyst' })).status).toBe(404);
    expect((await h.api('GET', '/erasure-requests/not-an-id', { as: 'analyst' })).status).toBe(404);
  });

  it('sends the request to every data-holding service and finishes only when all four confirmed', async () => {
    const ref = subjectRef('erin');
    const sessions = [randomUUID(), randomUUID()].sort();
    await knownSessions(ref, sessions);
    // The data keys the gateway made for the subject and for a session seen without it; another subject's.
    const keys = await keyring().keysFor([{ subjectRef: ref }, { sessionId: sessions[0] }, { subjectRef: `${ref}-other` }]);
    const created = await h.api('POST', '/erasure-requests', { body: { subjectRef: ref, reason: 'GDPR art. 17 request #41' } });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'in_progress', repeated: false });
    const id = created.body.id;
    // Crypto-shredding: the keys are destroyed when the erasure is ordered, before any service confirms.
    expect((await report(id)).keysDestroyed).toBe(2);
    await expect(keyring().dataKey(keys[0].keyId)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    await expect(keyring().dataKey(keys[1].keyId)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    expect((await keyring().dataKey(keys[2].keyId)).equals(keys[2].key)).toBe(true);

    const command = await waitFor(() => requested(id), { what: 'retention.erasure.requested' });
    expect(command.data).toMatchObject({ subjectRef: ref, sessionIds: sessions });
    // The reason (free text that may name the person) leaves sealed under the key the erasure destroyed:
    // no one reads it on the topic; the request keeps it.
    const sealedReason = (command.data as ErasureRequestedData).reason;
    expect(isSealed(sealedReason)).toBe(true);
    expect(JSON.stringify(h.reader.on(Topics.RetentionCommands).find((r) => r.event?.id === command.id))).not.toContain('request #41');
    await expect(openEvent(command, keyring())).rejects.toBeInstanceOf(DataKeyDestroyedError);
    expect((await report(id)).reason).toBe('GDPR art. 17 request #41');
    expect([...(command.data as ErasureRequestedData).expectedServices].sort()).toEqual([...DATA_HOLDING_SERVICES].sort());
    expect(h.reader.on(Topics.RetentionCommands).find((r) => r.event?.id === command.id)?.key).toBe(ref);

    await confirmAll(id, ref, ['webhook-gateway', 'kyc-results', 'aml-trigger']);
    await h.confirmErasure(id, ref, 'kyc-results', {}); // a repeat (counts empty) must not replace the first
    const waiting = await waitFor(async () => {
      const r = await report(id);
      return r.services.filter((s: { confirmed: boolean }) => s.confirmed).length === 3 ? r : undefined;
    }, { what: 'three confirmations' });
    expect(waiting).toMatchObject({ status: 'in_progress', waitingFor: ['audit-log'] });
    expect(waiting.services.find((s: { service: string }) => s.service === 'kyc-results').counts).toEqual({ rows: 2 });
    expect((await h.api('POST', '/erasure-requests', { body: { subjectRef: ref, reason: 'again' } })).body).toMatchObject({ id, repeated: true });
    await h.sweeps(1);
    expect(finishedEvents(id)).toEqual([]);

    await h.confirmErasure(id, ref, 'audit-log', { entries_redacted: 3 });
    const done = await waitFor(async () => {
      const r = await report(id);
      return r.status === 'finished' ? r : undefined;
    }, { what: 'the request finished' });
    expect(done.waitingFor).toEqual([]);
    expect(done.provider.sessions).toEqual(sessions.map((sessionId) => expect.objectContaining({ sessionId, outcome: 'deleted', httpStatus: 204, attempts: 1 })));
    const finished = await waitFor(() => finishedEvents(id)[0], { what: 'retention.erasure.finished' });
    expect(finished.data).toMatchObject({ status: 'finished', subjectRef: ref, keysDestroyed: 2 });
    expect((finished.data as { services: Array<{ service: string }> }).services.map((s) => s.service).sort()).toEqual([...DATA_HOLDING_SERVICES].sort());
    expect((await h.api('GET', `/subjects/${ref}/retention`, { as: 'analyst' })).body.data).toEqual([]);

    // After a finished erasure a new request is a new erasure (new data may have arrived since).
    const again = await h.api('POST', '/erasure-requests', { body: { subjectRef: ref, reason: 'new data arrived' } });
    expect(again.body).toMatchObject({ status: 'in_progress', repeated: false });
    expect(again.body.id).not.toBe(id);
    await confirmAll(again.body.id, ref);
  });

  it('raises one erasure_overdue alert when a service does not confirm in time, and finishes when it comes back', async () => {
    const ref = subjectRef('otto');
    const id = (await h.api('POST', '/erasure-requests', { body: { subjectRef: ref, reason: 'GDPR' } })).body.id;
    await waitFor(() => requested(id), { what: 'the command' });
    await confirmAll(id, ref, ['kyc-results', 'aml-trigger', 'audit-log']);
    await waitFor(async () => (await report(id)).waitingFor.length === 1, { what: 'three confirmations' });
    await h.sweeps(1);
    expect(overdueAlerts(id)).toEqual([]);

    h.clock.advance(HOUR_MS + 1000);
    const alert = await waitFor(() => overdueAlerts(id)[0], { what: 'the erasure_overdue alert' });
    expect(alert.data).toMatchObject({ kind: 'erasure_overdue', severity: 'high', subjectRef: ref, details: expect.objectContaining({ waitingFor: ['webhook-gateway'] }) });
    await h.sweeps(2);
    expect(overdueAlerts(id)).toHaveLength(1);
    expect(await report(id)).toMatchObject({ status: 'in_progress', overdueAlertId: alert.id });

    await h.confirmErasure(id, ref, 'webhook-gateway', { spooled: 0 });
    await waitFor(async () => (await report(id)).status === 'finished', { what: 'finished once the late service confirmed' });
  });

  it('reports the provider’s answer per session: deleted, already gone, retried after a 503, failed after retries', async () => {
    const ref = subjectRef('paul');
    const s = { ok: randomUUID(), gone: randomUUID(), flaky: randomUUID(), fail: randomUUID(), slow: randomUUID() };
    didit.on(s.gone, 'gone').on(s.flaky, 'flaky').on(s.fail, 'fail').on(s.slow, 'slow');
    await knownSessions(ref, Object.values(s));
    const id = (await h.api('POST', '/erasure-requests', { body: { subjectRef: ref, reason: 'GDPR' } })).body.id;
    await confirmAll(id, ref);
    const done = await waitFor(async () => {
      const r = await report(id);
      return r.status === 'finished' ? r : undefined;
    }, { what: 'finished with every provider outcome' });
    const outcome = (sessionId: string) => done.provider.sessions.find((p: { sessionId: string }) => p.sessionId === sessionId);
    expect(outcome(s.ok)).toMatchObject({ outcome: 'deleted', httpStatus: 204, attempts: 1 });
    expect(outcome(s.gone)).toMatchObject({ outcome: 'not_found', httpStatus: 404, attempts: 1 });
    expect(outcome(s.flaky)).toMatchObject({ outcome: 'deleted', httpStatus: 204, attempts: 2 });
    expect(outcome(s.fail)).toMatchObject({ outcome: 'failed', httpStatus: 500, attempts: 3 });
    expect(outcome(s.slow)).toMatchObject({ outcome: 'failed', attempts: 3, error: 'no answer within 300 ms' });
    expect(didit.requests.filter((r) => Object.values(s).some((id) => r.path.includes(id))).every((r) => r.apiKey === 'didit-test-key')).toBe(true);
    const finished = await waitFor(() => finishedEvents(id)[0], { what: 'retention.erasure.finished' });
    expect((finished.data as { provider: unknown[] }).provider).toHaveLength(5);
  });
});
