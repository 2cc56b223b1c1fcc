import { randomBytes, randomUUID } from 'node:crypto';
import { dlqTopicOf, isSealed, sealValue, ConsumerGroups, type DomainEvent, type WebhookReceivedData } from '@compliance/contracts';
import { LocalKeyring } from '@compliance/persistence';
import { diditSession, waitFor } from '@compliance/testing';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';

/** kyc-results reads webhook payloads sealed under the subject's data key (crypto-shredding). */
describe('sealed webhook payloads (real Kafka and Postgres)', () => {
  const MASTER = randomBytes(32).toString('base64');
  let kyc: KycHarness;
  let keyring: LocalKeyring;

  /** webhook.received as the gateway publishes it with a keyring: the payload sealed under the subject's key. */
  async function sealed(payload: Record<string, unknown>): Promise<DomainEvent<WebhookReceivedData>> {
    const event = gatewayEvent(payload);
    const [key] = await keyring.keysFor([{ subjectRef: payload.vendor_data as string }]);
    return { ...event, datakeyid: key.keyId, data: { ...event.data, subjectRef: payload.vendor_data as string, status: payload.status as string, payload: sealValue(payload, key.key, key.keyId, event.id, 'payload') } };
  }

  beforeAll(async () => {
    kyc = await startKycResults('kyc-sealed', { env: { KEYRING_MASTER_KEY: MASTER } });
    keyring = new LocalKeyring(kyc.dataSource, MASTER);
  });
  afterAll(() => kyc?.stop());

  it('opens a sealed payload and records the verification as from a clear one', async () => {
    const payload = diditSession('v3-approved', { vendor_data: `sealed-${randomUUID()}` });
    const event = await sealed(payload);
    expect(isSealed(event.data.payload)).toBe(true);
    await kyc.deliver(event);
    const [approved] = await kyc.waitForEvents(payload.session_id as string, 1);
    expect(approved.type).toBe('kyc.verification.approved');
    const [row] = await kyc.query('SELECT status, subject_ref FROM verification_sessions WHERE session_id = $1', [payload.session_id]);
    expect(row).toMatchObject({ status: 'approved', subject_ref: payload.vendor_data });
  });

  it('records nothing of a person whose key was destroyed (erased), and does not dead-letter it', async () => {
    const payload = diditSession('v3-approved', { vendor_data: `erased-${randomUUID()}` });
    const event = await sealed(payload);
    await keyring.destroy({ subjectRefs: [payload.vendor_data as string] });
    const control = diditSession('v3-approved', { vendor_data: `kept-${randomUUID()}` });
    // Same partition order: the erased one first, then a control that must be recorded.
    await kyc.deliver(event, await sealed({ ...control, session_id: control.session_id }));
    await kyc.waitForEvents(control.session_id as string, 1);
    expect(await kyc.query('SELECT 1 FROM verification_sessions WHERE session_id = $1', [payload.session_id])).toEqual([]);
    expect(kyc.verificationEvents(payload.session_id as string)).toEqual([]);
    expect(kyc.reader.events(dlqTopicOf(ConsumerGroups.KycResults)).filter((e) => e.id === event.id)).toEqual([]);
    const metrics = await waitFor(async () => {
      const text = String((await kyc.api('/metrics')).body);
      return /kyc_results_ignored_webhooks_total\{[^}]*reason="subject_erased"[^}]*\} 1/.test(text) && text;
    }, { what: 'the erased webhook counted' });
    expect(metrics).toContain('subject_erased');
  });
});
