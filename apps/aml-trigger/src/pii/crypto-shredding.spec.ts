import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ConsumerGroups,
  DataKeyDestroyedError,
  dlqTopicOf,
  EventSources,
  EventTypes,
  isSealed,
  newEvent,
  sealedKeyId,
  Topics,
  type DomainEvent,
  type ErasureRequestedData,
  type KycVerificationData,
} from '@compliance/contracts';
import { TopicReader } from '@compliance/messaging/testing';
import { KeyringError, LocalKeyring, PiiCipher, type Keyring } from '@compliance/persistence';
import { sql } from '@compliance/persistence/testing';
import { ERASED_VALUE, KEYRING, sealByContract } from '@compliance/platform';
import { TEST_API_KEYS } from '@compliance/platform/testing';
import { waitFor } from '@compliance/testing';
import { alertSealContext } from '../alerts/alerts.service';
import { subjectSealContext } from '../monitoring/monitored-subject.repository';
import { sealContext } from '../screenings/screenings.service';
import { AmlHarness, approvedEvent, LISTED_PERSON, PII_KEY } from '../../test/aml-test-harness';
import { IdentitySealing } from './identity-sealing';

const MASTER = randomBytes(32).toString('base64');
const ADMIN = { key: TEST_API_KEYS.admin };
const dbName = (url: string) => new URL(url).pathname.slice(1);
function connectionArgs(url: string): string[] {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres'];
}
const keyringOn = (url: string, master = MASTER) => new LocalKeyring({ query: (text: string, params?: unknown[]) => sql(url, text, params) }, master, 0);

/** A listed person approved under `subjectRef`, sealed as kyc-results publishes it; resolves once screened and alerted. */
async function screenListed(h: AmlHarness, keyring: Keyring, subjectRef: string): Promise<{ screeningId: string; alertId: string; event: DomainEvent<KycVerificationData> }> {
  const event = approvedEvent({ subjectRef, identity: LISTED_PERSON });
  await sealByContract(keyring as LocalKeyring, [event]);
  await h.publishKyc(event);
  const [completed] = await h.waitForEvents(Topics.AmlScreenings, EventTypes.AmlScreeningCompleted, (d) => d.subjectRef === subjectRef);
  const [alert] = await h.waitForEvents(Topics.ComplianceAlerts, EventTypes.ComplianceAlertRaised, (d) => d.subjectRef === subjectRef);
  return { screeningId: completed.data.screeningId as string, alertId: alert.data.alertId as string, event };
}

describe('aml-trigger: personal data at rest under the person\'s data key (real Kafka and Postgres)', () => {
  const h = new AmlHarness('aml-shred');
  let scratch: string | undefined;
  const keyring = () => keyringOn(h.databaseUrl);

  // No key cache: keys are destroyed and lost directly in these tests, without the erasure command.
  beforeAll(() => h.start({ KEYRING_MASTER_KEY: MASTER, KEYRING_CACHE_MS: '0' }));
  afterAll(async () => {
    await h.stop();
    if (scratch) execFileSync('dropdb', ['--if-exists', ...connectionArgs(h.databaseUrl), scratch]);
  });

  it('keeps hit names, alert summaries and notes sealed at rest, shows them to authorised readers, and a backup opens nothing of an erased person', async () => {
    const people = { erased: `erased-${randomUUID()}`, kept: `kept-${randomUUID()}` };
    const done = { erased: await screenListed(h, keyring(), people.erased), kept: await screenListed(h, keyring(), people.kept) };
    for (const who of ['erased', 'kept'] as const) {
      const reviewed = await h.http(`/alerts/${done[who].alertId}/review`, { method: 'POST', key: TEST_API_KEYS.analyst, body: { decision: 'confirmed', note: `Called ${LISTED_PERSON.fullName} back: same person` } });
      expect(reviewed.status).toBe(200);
    }

    // At rest: no name in clear anywhere in the service's schema.
    const [hitRow] = await sql<{ hits: Array<{ matchedName: string; entityId: string }> }>(h.databaseUrl, 'SELECT hits FROM aml_trigger.screenings WHERE id = $1', [done.kept.screeningId]);
    expect(hitRow.hits.length).toBeGreaterThan(0);
    expect(hitRow.hits.every((hit) => isSealed(hit.matchedName) && hit.entityId)).toBe(true);
    const [alertRow] = await sql<{ summary: string; note: string }>(h.databaseUrl, 'SELECT summary, note FROM aml_trigger.alerts WHERE id = $1', [done.kept.alertId]);
    expect(isSealed(alertRow.summary) && isSealed(alertRow.note)).toBe(true);

    // The API opens them for authorised readers (the analyst's masked input view is as before).
    const alert = await h.http(`/alerts/${done.kept.alertId}`, { key: TEST_API_KEYS.analyst });
    expect(alert.body.summary).toMatch(/kovalenko/i);
    expect(alert.body.details.hits[0].matchedName).toMatch(/kovalenko/i);
    expect(alert.body.review.note).toContain(LISTED_PERSON.fullName);
    const screening = await h.http(`/screenings/${done.kept.screeningId}`, { key: TEST_API_KEYS.analyst });
    expect(screening.body.hits[0].matchedName).toMatch(/kovalenko/i);
    expect(screening.body.input.fullName).not.toBe(LISTED_PERSON.fullName);
    const queue = await h.http('/alerts?status=all&limit=200', { key: TEST_API_KEYS.analyst });
    expect(queue.body.items.find((a: { id: string }) => a.id === done.kept.alertId).summary).toMatch(/kovalenko/i);

    // A whole-database backup (the service's schema and the keyring), taken before the erasure.
    const dump = execFileSync('pg_dump', [...connectionArgs(h.databaseUrl), '--no-owner', '--no-privileges', '--schema=aml_trigger', '--schema=keyring', dbName(h.databaseUrl)], { maxBuffer: 64 << 20 }).toString();
    for (const clear of ['Kovalenko', 'KOVALENKO', LISTED_PERSON.documentNumber, LISTED_PERSON.dateOfBirth]) expect(dump).not.toContain(clear);

    // The erasure destroys the person's keys; the backup is restored into a scratch database.
    await keyring().destroy({ subjectRefs: [people.erased] });
    scratch = `${dbName(h.databaseUrl)}_restored`.slice(0, 60);
    execFileSync('createdb', [...connectionArgs(h.databaseUrl), scratch]);
    execFileSync('psql', [...connectionArgs(h.databaseUrl), '--quiet', '-v', 'ON_ERROR_STOP=1', '-d', scratch], { input: dump });
    const restoredUrl = new URL(h.databaseUrl);
    restoredUrl.pathname = `/${scratch}`;
    const restored = restoredUrl.toString();

    // What the service holds — the PII key and the live keyring — opens only the other person.
    const live = new IdentitySealing(new PiiCipher(PII_KEY, 'aml-trigger'), keyring());
    const readBack = async (sealing: IdentitySealing, who: 'erased' | 'kept') => {
      const { screeningId, alertId } = done[who];
      const [s] = await sql<{ input_sealed: string; hits: unknown[] }>(restored, 'SELECT input_sealed, hits FROM aml_trigger.screenings WHERE id = $1', [screeningId]);
      const [m] = await sql<{ identity_sealed: string }>(restored, 'SELECT identity_sealed FROM aml_trigger.monitored_subjects WHERE subject_ref = $1', [people[who]]);
      const [a] = await sql<{ summary: string; note: string }>(restored, 'SELECT summary, note FROM aml_trigger.alerts WHERE id = $1', [alertId]);
      const [hits] = await sealing.openFields([{ data: { hits: s.hits }, context: sealContext(screeningId) }]);
      const [personal] = await sealing.openFields([{ data: { summary: a.summary, note: a.note }, context: alertSealContext(alertId) }]);
      return {
        input: await sealing.open<{ fullName: string }>(s.input_sealed, sealContext(screeningId)),
        monitored: await sealing.open<{ fullName: string }>(m.identity_sealed, subjectSealContext(people[who])),
        hitName: (hits as { hits: Array<{ matchedName: string }> }).hits[0].matchedName,
        ...(personal as { summary: string; note: string }),
      };
    };
    expect(await readBack(live, 'erased')).toEqual({ input: undefined, monitored: undefined, hitName: ERASED_VALUE, summary: ERASED_VALUE, note: ERASED_VALUE });
    const kept = await readBack(live, 'kept');
    expect(kept.input?.fullName).toBe(LISTED_PERSON.fullName);
    expect(kept.monitored?.fullName).toBe(LISTED_PERSON.fullName);
    expect(kept.hitName).toMatch(/kovalenko/i);
    expect(kept.summary).toMatch(/kovalenko/i);
    expect(kept.note).toContain(LISTED_PERSON.fullName);

    // Honestly: the keyring restored from the same backup brings the destroyed key back for whoever
    // also holds KEYRING_MASTER_KEY. Hence docs/privacy.md: the keyring schema is kept out of the
    // database backups and backed up on its own, with a retention no longer than the erasure deadline.
    const fromBackup = new IdentitySealing(new PiiCipher(PII_KEY, 'aml-trigger'), keyringOn(restored));
    expect((await readBack(fromBackup, 'erased')).input?.fullName).toBe(LISTED_PERSON.fullName);
    // Once the master key it was wrapped under is retired (rotated out of KEYRING_MASTER_KEY), that keyring backup opens nothing.
    const [erasedRow] = await sql<{ input_sealed: string }>(restored, 'SELECT input_sealed FROM aml_trigger.screenings WHERE id = $1', [done.erased.screeningId]);
    const keyId = sealedKeyId(new PiiCipher(PII_KEY, 'aml-trigger').openJson<string>(erasedRow.input_sealed, sealContext(done.erased.screeningId)));
    await expect(keyringOn(restored, randomBytes(32).toString('base64')).dataKey(keyId)).rejects.toBeInstanceOf(KeyringError);
  });

  it('answers 409 DATA_KEY_MISSING for a screening or alert whose data key row is lost, and "[unavailable]" in the queue', async () => {
    const subjectRef = `lost-${randomUUID()}`;
    const { screeningId, alertId, event } = await screenListed(h, keyring(), subjectRef);
    expect((await h.http(`/screenings/${screeningId}`, ADMIN)).status).toBe(200);
    await sql(h.databaseUrl, 'DELETE FROM keyring.data_keys WHERE key_id = $1', [event.datakeyid]);

    for (const path of [`/screenings/${screeningId}`, `/alerts/${alertId}`, `/subjects/${subjectRef}/screenings`]) {
      const res = await h.http(path, ADMIN);
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 409, code: 'DATA_KEY_MISSING' });
      expect(JSON.stringify(res.body)).not.toMatch(/kovalenko/i);
    }
    const queue = await h.http('/alerts?status=all&limit=200', ADMIN);
    expect(queue.status).toBe(200);
    expect(queue.body.items.find((a: { id: string }) => a.id === alertId).summary).toBe('[unavailable]');
  });

  it('dead-letters an approval sealed under a data key the keyring lacks, with DATA_KEY_MISSING', async () => {
    const dlq = await new TopicReader(h.namespace, [dlqTopicOf(ConsumerGroups.AmlTrigger)]).start();
    try {
      const subjectRef = `lost-${randomUUID()}`;
      const event = approvedEvent({ subjectRef, identity: LISTED_PERSON });
      await sealByContract(keyring(), [event]);
      await sql(h.databaseUrl, 'DELETE FROM keyring.data_keys WHERE key_id = $1', [event.datakeyid]);
      await h.publishKyc(event);
      const record = await waitFor(() => dlq.records.find((r) => r.event?.id === event.id), { what: 'the approval dead-lettered', timeoutMs: 30_000 });
      expect(record.headers['x-error-code']).toBe('DATA_KEY_MISSING');
      expect(record.value).not.toMatch(/kovalenko/i);
      expect(h.events(Topics.AmlScreenings, undefined, (d) => d.subjectRef === subjectRef)).toEqual([]);
    } finally {
      await dlq.stop();
    }
  });
});

describe('aml-trigger: cached data keys dropped on retention.erasure.requested (real Kafka and Postgres)', () => {
  const h = new AmlHarness('aml-forget');
  beforeAll(() => h.start({ KEYRING_MASTER_KEY: MASTER, KEYRING_CACHE_MS: '600000' }));
  afterAll(() => h.stop());

  it('reads a destroyed key from its cache until the erasure request is consumed, then consults the keyring again', async () => {
    const subjectRef = `cached-${randomUUID()}`;
    const { event } = await screenListed(h, keyringOn(h.databaseUrl), subjectRef);
    const keyId = event.datakeyid as string;
    const service = h.app.app.get<Keyring>(KEYRING);
    // Retention destroys the key when it orders the erasure; the service's cache still holds it.
    await keyringOn(h.databaseUrl).destroy({ subjectRefs: [subjectRef] });
    expect((await service.dataKey(keyId)).length).toBe(32);

    const data: ErasureRequestedData = { requestId: randomUUID(), subjectRef, reason: 'test', expectedServices: ['aml-trigger'], sessionIds: [event.data.sessionId], requestedAt: new Date().toISOString() };
    await h.publish(Topics.RetentionCommands, newEvent({ type: EventTypes.RetentionErasureRequested, source: EventSources.Retention, subject: subjectRef, data }), subjectRef);
    await h.waitForEvents(Topics.RetentionEvents, EventTypes.RetentionErasureCompleted, (d) => d.requestId === data.requestId);
    await expect(service.dataKey(keyId)).rejects.toBeInstanceOf(DataKeyDestroyedError);
  });
});
