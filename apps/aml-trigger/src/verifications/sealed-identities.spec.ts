import { randomBytes, randomUUID } from 'node:crypto';
import { isSealed, openEvent, Topics, EventTypes, type DomainEvent, type KycVerificationData } from '@compliance/contracts';
import { LocalKeyring, PiiCipher } from '@compliance/persistence';
import { sealByContract } from '@compliance/platform';
import { sql } from '@compliance/persistence/testing';
import { TEST_API_KEYS } from '@compliance/platform/testing';
import { sealContext } from '../screenings/screenings.service';
import { AmlHarness, approvedEvent, LISTED_PERSON, PII_KEY } from '../../test/aml-test-harness';

/** aml-trigger with a keyring: sealed identities in, sealed names out, identities at rest under the person's key. */
describe('aml-trigger and crypto-shredding (real Kafka and Postgres)', () => {
  const MASTER = randomBytes(32).toString('base64');
  const h = new AmlHarness('aml-sealed');
  const keyring = () => new LocalKeyring({ query: (text: string, params?: unknown[]) => sql(h.databaseUrl, text, params) }, MASTER);

  /** kyc.verification.approved as kyc-results publishes it with a keyring: the identity sealed under the subject's key. */
  async function sealedApproval(subjectRef: string): Promise<DomainEvent<KycVerificationData>> {
    const event = approvedEvent({ subjectRef, identity: LISTED_PERSON });
    await sealByContract(keyring(), [event]);
    expect(isSealed(event.data.identity)).toBe(true);
    return event;
  }

  // No key cache: the test destroys keys directly, without the erasure command that drops cached copies.
  beforeAll(() => h.start({ KEYRING_MASTER_KEY: MASTER, KEYRING_CACHE_MS: '0' }));
  afterAll(() => h.stop());

  it('screens a sealed identity, publishes the hit names sealed, and stores the identity under the person\'s key', async () => {
    const subjectRef = `sealed-${randomUUID()}`;
    await h.publishKyc(await sealedApproval(subjectRef));
    const [completed] = await h.waitForEvents(Topics.AmlScreenings, EventTypes.AmlScreeningCompleted, (d) => d.subjectRef === subjectRef);
    const hits = completed.data.hits as Array<{ matchedName: string; entityId: string }>;
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((hit) => isSealed(hit.matchedName))).toBe(true);
    const opened = await openEvent(completed, keyring());
    expect((opened.data.hits as Array<{ matchedName: string }>)[0].matchedName).toMatch(/kovalenko/i);
    const [alert] = await h.waitForEvents(Topics.ComplianceAlerts, EventTypes.ComplianceAlertRaised, (d) => d.subjectRef === subjectRef);
    expect(isSealed(alert.data.summary)).toBe(true);

    // At rest: the PII key alone no longer reads the identity; with the person's data key it does.
    const cipher = new PiiCipher(PII_KEY, 'aml-trigger');
    const [row] = await sql<{ id: string; input_sealed: string }>(h.databaseUrl, 'SELECT id, input_sealed FROM aml_trigger.screenings WHERE id = $1', [completed.data.screeningId]);
    expect(isSealed(cipher.openJson(row.input_sealed, sealContext(row.id)))).toBe(true);
    const view = await h.http(`/screenings/${completed.data.screeningId}`, { key: TEST_API_KEYS.admin });
    expect(view.body.input.fullName).toBe(LISTED_PERSON.fullName);

    // The erasure destroys the key: the identity is gone from every read, and the subject is not re-screened.
    await keyring().destroy({ subjectRefs: [subjectRef] });
    const after = await h.http(`/screenings/${completed.data.screeningId}`, { key: TEST_API_KEYS.admin });
    expect(after.status).toBe(200);
    expect(after.body.input ?? null).toBeNull();
  });

  it('ignores an approval sealed under a destroyed key (the person was erased): no screening, no monitoring', async () => {
    const subjectRef = `erased-${randomUUID()}`;
    const event = await sealedApproval(subjectRef);
    await keyring().destroy({ subjectRefs: [subjectRef] });
    const control = `control-${randomUUID()}`;
    await h.publishKyc(event);
    await h.publishKyc(await sealedApproval(control));
    await h.waitForEvents(Topics.AmlScreenings, EventTypes.AmlScreeningCompleted, (d) => d.subjectRef === control);
    expect(h.events(Topics.AmlScreenings, undefined, (d) => d.subjectRef === subjectRef)).toEqual([]);
    expect(await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.monitored_subjects WHERE subject_ref = $1', [subjectRef])).toEqual([]);
  });
});
