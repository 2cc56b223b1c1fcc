import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataKeyDestroyedError, dlqTopicOf, isSealed, sealValue, ConsumerGroups, type DomainEvent, type WebhookReceivedData } from '@compliance/contracts';
import { LocalKeyring, PiiCipher } from '@compliance/persistence';
import { sql } from '@compliance/persistence/testing';
import { identityOf, type IdentityRecordRow } from './identity-record.repository';
import { IdentityVault } from './identity-vault';
import { TEST_API_KEYS } from '@compliance/platform/testing';
import { diditSession, waitFor } from '@compliance/testing';
import { gatewayEvent, startKycResults, TEST_PII_KEY, type KycHarness } from '../../test/kyc-harness';

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

/** Crypto-shredding at rest: a backup taken before an erasure holds nothing readable of that person after it. */
describe('a database backup across an erasure (real Postgres, pg_dump)', () => {
  const MASTER = randomBytes(32).toString('base64');
  let kyc: KycHarness;
  let scratch: string | undefined;

  beforeAll(async () => {
    kyc = await startKycResults('kyc-backup', { env: { KEYRING_MASTER_KEY: MASTER } });
  });
  afterAll(async () => {
    await kyc?.stop();
    if (scratch) execFileSync('dropdb', ['--if-exists', ...connectionArgs(kyc.dbUrl), scratch]);
  });

  it('restored after the erasure, the erased person\'s identity does not open; another person\'s does', async () => {
    const keyring = new LocalKeyring(kyc.dataSource, MASTER);
    const people = ['erased', 'kept'].map((who) => diditSession('v3-approved', { vendor_data: `${who}-${randomUUID()}` }));
    for (const payload of people) {
      const event = gatewayEvent(payload);
      const [key] = await keyring.keysFor([{ subjectRef: payload.vendor_data as string }]);
      await kyc.deliver({ ...event, datakeyid: key.keyId, data: { ...event.data, payload: sealValue(payload, key.key, key.keyId, event.id, 'payload') } });
      await kyc.waitForEvents(payload.session_id as string, 1);
    }
    const names = people.map((p) => JSON.stringify(p.decision).match(/"last_name":"([^"]+)"/)?.[1] as string);

    // The backup, then the erasure's key destruction, then the backup restored into a scratch database.
    const dump = execFileSync('pg_dump', [...connectionArgs(kyc.dbUrl), '--no-owner', '--no-privileges', '--schema=kyc_results', dbName(kyc.dbUrl)], { maxBuffer: 64 << 20 }).toString();
    for (const name of names) expect(dump).not.toContain(name);
    await keyring.destroy({ subjectRefs: [people[0].vendor_data as string] });
    scratch = `${dbName(kyc.dbUrl)}_restored`.slice(0, 60);
    execFileSync('createdb', [...connectionArgs(kyc.dbUrl), scratch]);
    execFileSync('psql', [...connectionArgs(kyc.dbUrl), '--quiet', '-v', 'ON_ERROR_STOP=1', '-d', scratch], { input: dump });
    const restored = new URL(kyc.dbUrl);
    restored.pathname = `/${scratch}`;
    const rows: IdentityRecordRow[] = await sql(restored.toString(), 'SELECT * FROM kyc_results.identity_attributes WHERE session_id = ANY($1)', [people.map((p) => p.session_id)]);
    expect(rows).toHaveLength(2);

    // Everything the service itself would hold — the PII key and the live keyring — opens only the other person.
    const vault = new IdentityVault(new PiiCipher(TEST_PII_KEY, 'kyc-results'), keyring);
    const [erased, kept] = people.map((p) => identityOf(rows.find((r) => r.session_id === p.session_id) as IdentityRecordRow));
    const scoped = await vault.forBatch([erased, kept]);
    expect(() => scoped.open(erased)).toThrow(DataKeyDestroyedError);
    expect(scoped.open(kept).lastName).toBe(names[1]);
  });
});

/** A lost keyring row (deleted by hand, or a keyring restored from before the key was made) is a clear error, never a crash. */
describe('a data key missing from the keyring (real Kafka and Postgres)', () => {
  const MASTER = randomBytes(32).toString('base64');
  let kyc: KycHarness;
  let keyring: LocalKeyring;

  // No key cache: the rows are deleted directly, and a cached key would hide that.
  beforeAll(async () => {
    kyc = await startKycResults('kyc-lost', { env: { KEYRING_MASTER_KEY: MASTER, KEYRING_CACHE_MS: '0' } });
    keyring = new LocalKeyring(kyc.dataSource, MASTER, 0);
  });
  afterAll(() => kyc?.stop());

  async function sealedFor(payload: Record<string, unknown>): Promise<DomainEvent<WebhookReceivedData>> {
    const event = gatewayEvent(payload);
    const [key] = await keyring.keysFor([{ subjectRef: payload.vendor_data as string }]);
    return { ...event, datakeyid: key.keyId, data: { ...event.data, payload: sealValue(payload, key.key, key.keyId, event.id, 'payload') } };
  }
  const loseKey = (keyId: string) => sql(kyc.dbUrl, 'DELETE FROM keyring.data_keys WHERE key_id = $1', [keyId]);

  it('GET /verifications/:id answers 409 DATA_KEY_MISSING when the identity\'s data key row is lost', async () => {
    const payload = diditSession('v3-approved', { vendor_data: `lost-${randomUUID()}` });
    const event = await sealedFor(payload);
    await kyc.deliver(event);
    await kyc.waitForEvents(payload.session_id as string, 1);
    expect((await kyc.api(`/verifications/${payload.session_id}`, TEST_API_KEYS.admin)).body.identity).not.toBeNull();
    await loseKey(event.datakeyid as string);
    const res = await kyc.api(`/verifications/${payload.session_id}`, TEST_API_KEYS.admin);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'DATA_KEY_MISSING' });
    expect(res.body.message).toContain(event.datakeyid);
  });

  it('dead-letters a webhook sealed under a key the keyring lacks, with DATA_KEY_MISSING, and goes on', async () => {
    const payload = diditSession('v3-approved', { vendor_data: `lost-${randomUUID()}` });
    const event = await sealedFor(payload);
    await loseKey(event.datakeyid as string);
    const control = diditSession('v3-approved', { vendor_data: `kept-${randomUUID()}` });
    await kyc.deliver(event, await sealedFor(control));
    await kyc.waitForEvents(control.session_id as string, 1);
    const record = await waitFor(() => kyc.reader.on(dlqTopicOf(ConsumerGroups.KycResults)).find((r) => r.event?.id === event.id), { what: 'the webhook dead-lettered' });
    expect(record.headers['x-error-code']).toBe('DATA_KEY_MISSING');
    expect(await kyc.query('SELECT 1 FROM verification_sessions WHERE session_id = $1', [payload.session_id])).toEqual([]);
  });
});

const dbName = (url: string) => new URL(url).pathname.slice(1);
function connectionArgs(url: string): string[] {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres'];
}
