import { randomBytes } from 'node:crypto';
import { ConsumerGroups, dlqTopicOf } from '@compliance/contracts';
import { RetryHeaders } from '@compliance/messaging';
import { diditPayload, waitFor } from '@compliance/testing';
import { PiiCipher } from '@compliance/persistence';
import { newSession, sessionReport, statusOnly } from '../../test/didit-reports';
import { PiiRekeyService } from '../pii/pii-rekey.service';
import { IdentityVault } from './identity-vault';
import { gatewayEvent, startKycResults, TEST_PII_KEY, type KycHarness } from '../../test/kyc-harness';
import { TEST_API_KEYS } from '@compliance/platform/testing';

const T0 = 1_767_225_600;
const DLQ = dlqTopicOf(ConsumerGroups.KycResults);

describe('kyc-results: personal data at rest, bad payloads, other webhook types (real Kafka, real Postgres)', () => {
  let kyc: KycHarness;

  beforeAll(async () => {
    kyc = await startKycResults('kycsafe');
  });
  afterAll(() => kyc?.stop());

  it('keeps personal data unreadable in the identity table without the key', async () => {
    const session = newSession();
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', session, T0)));
    const [row] = await waitFor(() => kyc.query('SELECT * FROM identity_attributes WHERE session_id = $1', [session.sessionId]).then((r) => (r.length ? r : undefined)));
    const raw = JSON.stringify(row);
    for (const plain of ['Ana N', 'Núñez', 'García', '1990-04-02', 'X1234567', 'Calle Mayor']) expect(raw).not.toContain(plain);
    expect(row.full_name_enc).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    // Queryable, non-personal attributes stay in clear.
    expect(row).toMatchObject({ document_type: 'Passport', issuing_state: 'ESP' });
    const context = `identity_attributes/fullName/${session.sessionId}`;
    expect(new PiiCipher(TEST_PII_KEY, 'kyc-results').decrypt(row.full_name_enc, context)).toBe('Ana Núñez García');
    expect(() => new PiiCipher(randomBytes(32).toString('base64'), 'kyc-results').decrypt(row.full_name_enc, context)).toThrow(/not configured/);
    // Nor anywhere else in the schema: sessions and history hold no names or document numbers.
    const others = JSON.stringify(await kyc.query('SELECT s.*, h.* FROM verification_sessions s JOIN verification_status_history h USING (session_id) WHERE s.session_id = $1', [session.sessionId]));
    for (const plain of ['Núñez', 'X1234567', '1990-04-02']) expect(others).not.toContain(plain);
  });

  it('after a key rotation, moves stored identities to the new key in the background, reads them, and announces only a real change', async () => {
    const session = newSession();
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', session, T0)));
    await kyc.waitForEvents(session.sessionId, 1);
    const oldCipher = new PiiCipher(TEST_PII_KEY, 'kyc-results');
    const newKey = randomBytes(32).toString('base64');
    const newKeyId = new PiiCipher(newKey, 'kyc-results').keyId;
    const keyOf = async () => (await kyc.query('SELECT key_id FROM identity_attributes WHERE session_id = $1', [session.sessionId]))[0].key_id;
    expect(await keyOf()).toBe(oldCipher.keyId);
    await kyc.stop();
    kyc = await startKycResults('kycsafe', { piiKey: `${newKey},${TEST_PII_KEY}`, after: kyc });

    // The start's pass re-encrypted it (digest and key id included).
    const [pass] = await kyc.get(PiiRekeyService).done();
    expect(pass).toMatchObject({ table: 'identity_attributes', unreadable: 0 });
    expect(pass.rekeyed).toBeGreaterThanOrEqual(1);
    expect(await keyOf()).toBe(newKeyId);
    const { body } = await kyc.api(`/verifications/${session.sessionId}`, TEST_API_KEYS.auditor);
    expect(body.identity).toMatchObject({ visibility: 'full', fullName: 'Ana Núñez García', documentNumber: 'X1234567' });
    const vault = kyc.get(IdentityVault);
    expect((await kyc.query('SELECT identity_digest FROM identity_attributes WHERE session_id = $1', [session.sessionId]))[0].identity_digest).toBe(
      vault.digestOf((await vault.load(kyc.dataSource.manager, session.sessionId))!),
    );

    // A row the pass has not reached yet (still under the old key): the same identity reported again
    // is written under the new key, and nothing is announced.
    const identity = (await vault.load(kyc.dataSource.manager, session.sessionId))!;
    await new IdentityVault(oldCipher).store(kyc.dataSource.manager, session.sessionId, identity);
    expect(await keyOf()).toBe(oldCipher.keyId);
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', session, T0 + 60)));
    await kyc.historyCount(session.sessionId, 2);
    expect(await keyOf()).toBe(newKeyId);

    // A different identity is still a change.
    const changed = sessionReport('v3-approved', session, T0 + 120);
    const decision = changed.decision as { id_verifications: Array<Record<string, unknown>> };
    changed.decision = { ...decision, id_verifications: [{ ...decision.id_verifications[0], first_name: 'Anabel', full_name: 'Anabel Núñez García' }] };
    await kyc.deliver(gatewayEvent(changed));
    await waitFor(() => kyc.verificationEvents(session.sessionId).some((e) => e.data.identity?.fullName === 'Anabel Núñez García'), { what: 'the changed identity announced' });
    // One partition per session, in order: an announcement of the re-encryption would come before it.
    expect(kyc.verificationEvents(session.sessionId).map((e) => e.data.change)).toEqual(['transition', 'data_updated']);
  });

  it('dead-letters a malformed verification payload with the reason and still processes the next event of the session', async () => {
    const session = newSession();
    const malformed = sessionReport('v3-approved', session, T0);
    malformed.decision.id_verifications = { not: 'an array' };
    const bad = gatewayEvent(malformed);
    const next = gatewayEvent(statusOnly('In Progress', session, T0 + 5));
    await kyc.deliver(bad, next);
    const dead = await waitFor(() => kyc.reader.on(DLQ).find((r) => r.headers.ce_id === bad.id), { what: 'the malformed payload in the DLQ' });
    expect(dead.headers[RetryHeaders.ErrorCode]).toBe('KYC_PAYLOAD_MALFORMED');
    expect(dead.headers[RetryHeaders.LastError]).toContain('payload.decision.id_verifications is not an array');
    expect(dead.headers[RetryHeaders.Attempt]).toBe('1');
    // The reason names the field, never the person.
    expect(dead.headers[RetryHeaders.LastError]).not.toContain('Ana');
    await kyc.historyCount(session.sessionId, 1);
    const view = await kyc.api(`/verifications/${session.sessionId}`, 'admin-key');
    expect(view.body).toMatchObject({ status: 'in_progress', transitions: 1 });
  });

  it.each([
    ['an unknown status string', { status: 'approved' }, 'payload.status "approved" is not a Didit session status'],
    ['no session id', { session_id: undefined, decision: undefined }, 'payload.session_id is missing'],
    ['no event time', { created_at: undefined, timestamp: undefined }, 'payload has no event time'],
  ])('dead-letters a verification payload with %s, naming the problem', async (_case, change, reason) => {
    const event = gatewayEvent({ ...sessionReport('v3-approved', newSession(), T0), ...change });
    await kyc.deliver(event);
    const dead = await waitFor(() => kyc.reader.on(DLQ).find((r) => r.headers.ce_id === event.id), { what: 'the dead letter' });
    expect(dead.headers[RetryHeaders.LastError]).toContain(reason);
  });

  it('acknowledges and counts webhooks outside verification sessions instead of dead-lettering them', async () => {
    const user = gatewayEvent(diditPayload('user-status-updated', { event_id: 'user-evt-1' }));
    const tx = gatewayEvent({ webhook_type: 'transaction.status.updated', event_id: 'tx-1', timestamp: T0, created_at: T0, vendor_data: 'c-1' });
    const marker = newSession();
    await kyc.deliver(user, tx, gatewayEvent(statusOnly('Not Started', marker, T0)));
    await kyc.historyCount(marker.sessionId, 1);
    const metrics = await waitFor(async () => {
      const text = (await kyc.api('/metrics')).body as string;
      return /kyc_results_ignored_webhooks_total\{source="didit",webhook_type="transaction.status.updated",reason="non_session"\} 1/.test(text) && text;
    }, { what: 'the ignored-webhook counters' });
    expect(metrics).toMatch(/kyc_results_ignored_webhooks_total\{source="didit",webhook_type="user.status.updated",reason="non_session"\} 1/);
    expect(kyc.reader.on(DLQ).filter((r) => [user.id, tx.id].includes(r.headers.ce_id))).toHaveLength(0);
  });
});
