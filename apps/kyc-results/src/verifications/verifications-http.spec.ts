import { EventTypes, Topics } from '@compliance/contracts';
import { waitFor } from '@compliance/testing';
import { newSession, sessionReport, statusOnly } from '../../test/didit-reports';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';
import { TEST_API_KEYS } from '@compliance/platform/testing';

const T0 = 1_767_225_600;

describe('kyc-results HTTP API: access, personal data per role, pagination (real Kafka, real Postgres)', () => {
  let kyc: KycHarness;
  const approved = newSession();

  beforeAll(async () => {
    kyc = await startKycResults('kychttp');
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', approved, T0)));
    await kyc.historyCount(approved.sessionId, 1);
  });
  afterAll(() => kyc?.stop());

  it('answers 401 without an API key or with an unknown one', async () => {
    expect((await kyc.api(`/verifications/${approved.sessionId}`)).status).toBe(401);
    expect((await kyc.api(`/verifications/${approved.sessionId}`, 'not-a-key')).status).toBe(401);
    expect((await kyc.api(`/subjects/${approved.subjectRef}/verifications`)).status).toBe(401);
  });

  it('answers 404 for an unknown session or subject', async () => {
    const session = await kyc.api('/verifications/no-such-session', TEST_API_KEYS.analyst);
    expect(session).toMatchObject({ status: 404, body: { code: 'VERIFICATION_NOT_FOUND' } });
    const subject = await kyc.api('/subjects/nobody/verifications', TEST_API_KEYS.analyst);
    expect(subject).toMatchObject({ status: 404, body: { code: 'SUBJECT_NOT_FOUND' } });
  });

  it('shows an analyst a masked identity: initials, birth year, last document characters, no address', async () => {
    const { status, body } = await kyc.api(`/verifications/${approved.sessionId}`, TEST_API_KEYS.analyst);
    expect(status).toBe(200);
    expect(body.identity).toEqual({
      visibility: 'masked',
      fullName: 'A••• N••• G•••',
      dateOfBirth: '1990',
      nationality: 'ESP',
      documentType: 'Passport',
      documentNumber: '•••567',
      issuingState: 'ESP',
    });
    expect(JSON.stringify(body)).not.toMatch(/Núñez|X1234567|1990-04-02|Calle Mayor/);
  });

  it('refuses an analyst who asks for the unmasked identity without a reason with 403 REASON_REQUIRED', async () => {
    const res = await kyc.api(`/verifications/${approved.sessionId}?identity=full`, TEST_API_KEYS.analyst);
    expect(res).toMatchObject({ status: 403, body: { code: 'REASON_REQUIRED', message: 'an analyst must give a reason (8 to 500 characters) to unmask an identity' } });
  });

  it('shows auditors and admins the full identity, and the masked one when they ask for it', async () => {
    for (const key of [TEST_API_KEYS.auditor, TEST_API_KEYS.admin]) {
      const { body } = await kyc.api(`/verifications/${approved.sessionId}`, key);
      expect(body.identity).toMatchObject({
        visibility: 'full',
        fullName: 'Ana Núñez García',
        firstName: 'Ana',
        dateOfBirth: '1990-04-02',
        documentNumber: 'X1234567',
        address: 'Calle Mayor 1, 28013 Madrid',
      });
    }
    const masked = await kyc.api(`/verifications/${approved.sessionId}?identity=masked`, TEST_API_KEYS.auditor);
    expect(masked.body.identity.visibility).toBe('masked');
    expect((await kyc.api(`/verifications/${approved.sessionId}?identity=everything`, TEST_API_KEYS.admin)).status).toBe(400);
  });

  it('records every unmasked read as kyc.identity.accessed (who, role, which fields, never the values), and no masked one', async () => {
    const accessed = () => kyc.reader.events(Topics.KycVerifications).filter((e) => e.type === EventTypes.KycIdentityAccessed && e.subject === approved.sessionId);
    // The tests above: an analyst's masked read, a refused full read, and one full read each by an auditor and an admin.
    const events = await waitFor(() => (accessed().length >= 2 ? accessed() : undefined), { what: 'two identity reads recorded' });
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ sessionId: approved.sessionId, subjectRef: approved.subjectRef, accessedBy: 'aud', role: 'auditor' }),
      expect.objectContaining({ accessedBy: 'adm', role: 'admin' }),
    ]);
    expect((events[0].data as { fields: string[] }).fields).toEqual(expect.arrayContaining(['fullName', 'dateOfBirth', 'documentNumber', 'address']));
    for (const plain of ['Ana', 'Núñez', '1990-04-02', 'X1234567', 'Calle Mayor']) expect(JSON.stringify(events)).not.toContain(plain);

    await kyc.api(`/verifications/${approved.sessionId}?identity=masked`, TEST_API_KEYS.admin);
    await kyc.api(`/verifications/${approved.sessionId}`, TEST_API_KEYS.auditor);
    await waitFor(() => accessed().length === 3, { what: 'the third full read recorded' });
    await new Promise((r) => setTimeout(r, 500));
    expect(accessed()).toHaveLength(3);
  });

  it('shows an analyst who gives a reason the full identity, and records the access with role analyst and the reason', async () => {
    const reason = 'case 4711: customer disputes the document match';
    const res = await kyc.api(`/verifications/${approved.sessionId}?identity=full&reason=${encodeURIComponent(reason)}`, TEST_API_KEYS.analyst);
    expect(res.status).toBe(200);
    expect(res.body.identity).toMatchObject({ visibility: 'full', fullName: 'Ana Núñez García', dateOfBirth: '1990-04-02', documentNumber: 'X1234567', address: 'Calle Mayor 1, 28013 Madrid' });
    const byAnalyst = () =>
      kyc.reader.events(Topics.KycVerifications).filter((e) => e.type === EventTypes.KycIdentityAccessed && e.subject === approved.sessionId && (e.data as { role: string }).role === 'analyst');
    const [event] = await waitFor(() => (byAnalyst().length > 0 ? byAnalyst() : undefined), { what: "the analyst's unmasked read recorded" });
    expect(event.data).toMatchObject({ sessionId: approved.sessionId, accessedBy: 'ana', role: 'analyst', reason });
    expect((event.data as { fields: string[] }).fields).toEqual(expect.arrayContaining(['fullName', 'documentNumber']));

    // An auditor may give a reason too; it is recorded the same way.
    const audited = 'quarterly sample audit';
    expect((await kyc.api(`/verifications/${approved.sessionId}?reason=${encodeURIComponent(audited)}`, TEST_API_KEYS.auditor)).body.identity.visibility).toBe('full');
    await waitFor(() => kyc.reader.events(Topics.KycVerifications).some((e) => e.type === EventTypes.KycIdentityAccessed && (e.data as { reason?: string }).reason === audited), {
      what: "the auditor's reason recorded",
    });
  });

  it('answers 400 for a reason shorter than 8 or longer than 500 characters, whoever asks', async () => {
    for (const reason of ['7 chars', ' '.repeat(12), 'x'.repeat(501)]) {
      for (const key of [TEST_API_KEYS.analyst, TEST_API_KEYS.auditor]) {
        const res = await kyc.api(`/verifications/${approved.sessionId}?identity=full&reason=${encodeURIComponent(reason)}`, key);
        expect(res).toMatchObject({ status: 400, body: { message: ['reason must be 8 to 500 characters'] } });
      }
    }
  });

  it("pages through a subject's verifications newest first with a cursor", async () => {
    const subject = `customer-pages-${approved.sessionId.slice(0, 6)}`;
    const sessions = [newSession(subject), newSession(subject), newSession(subject)];
    for (const s of sessions) {
      await kyc.deliver(gatewayEvent(statusOnly('In Progress', s, T0)));
      await kyc.historyCount(s.sessionId, 1);
    }
    const first = await kyc.api(`/subjects/${subject}/verifications?limit=2`, TEST_API_KEYS.analyst);
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { sessionId: string }) => i.sessionId)).toEqual([sessions[2].sessionId, sessions[1].sessionId]);
    expect(first.body.items[0]).toMatchObject({ subjectRef: subject, status: 'in_progress', terminal: false });
    const second = await kyc.api(`/subjects/${subject}/verifications?limit=2&cursor=${first.body.nextCursor}`, TEST_API_KEYS.analyst);
    expect(second.body).toMatchObject({ items: [expect.objectContaining({ sessionId: sessions[0].sessionId })], nextCursor: null });
    expect((await kyc.api(`/subjects/${subject}/verifications?cursor=bm90LWEtY3Vyc29y`, TEST_API_KEYS.analyst)).status).toBe(400);
    expect((await kyc.api(`/subjects/${subject}/verifications?limit=0`, TEST_API_KEYS.analyst)).status).toBe(400);
  });

  it('documents both endpoints in the OpenAPI description', async () => {
    const { body } = await kyc.api('/docs-json');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/verifications/{sessionId}', '/subjects/{subjectRef}/verifications']));
    expect(body.paths['/verifications/{sessionId}'].get.responses).toHaveProperty('403');
  });
});
