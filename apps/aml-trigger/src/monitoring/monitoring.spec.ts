import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventTypes, Topics } from '@compliance/contracts';
import { randomBytes } from 'node:crypto';
import { PiiCipher } from '@compliance/persistence';
import { PiiRekeyService } from '../pii/pii-rekey.service';
import { sampleListsDir } from '../aml-trigger.config';
import { AmlHarness, approvedEvent, LISTED_PERSON, PII_KEY, UNLISTED_PERSON } from '../../test/aml-test-harness';
import { sql } from '@compliance/persistence/testing';
import { TEST_API_KEYS } from '@compliance/platform/testing';

const COMPLETED = EventTypes.AmlScreeningCompleted;
const RAISED = EventTypes.ComplianceAlertRaised;
const ofSubject = (subjectRef: string, trigger?: string) => (d: Record<string, unknown>) => d.subjectRef === subjectRef && (!trigger || d.trigger === trigger);
const row = (id: string, name: string, birth: string, country: string) =>
  `${id},Person,${name},,${birth},${country},,,Fictitious Sanctions Programme (sample),,,Fictitious sample list - no real person,2025-01-01T00:00:00,2025-06-01T00:00:00,2025-06-01T00:00:00\n`;

describe('aml-trigger ongoing monitoring: list changes re-screen monitored subjects (real Kafka, Postgres, files)', () => {
  const h = new AmlHarness('amlmon');
  let dir: string;
  const listed = approvedEvent({ identity: LISTED_PERSON });
  const unlisted = approvedEvent({ identity: UNLISTED_PERSON });
  const subjectA = listed.data.subjectRef as string;
  const subjectB = unlisted.data.subjectRef as string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'aml-lists-'));
    await cp(sampleListsDir(), dir, { recursive: true });
    await h.start({ AML_LISTS_DIR: dir, AML_LIST_POLL_MS: '150' });
    await h.publishKyc(listed);
    await h.publishKyc(unlisted);
    await h.waitForEvents(Topics.ComplianceAlerts, RAISED, ofSubject(subjectA));
    await h.waitForEvents(Topics.AmlScreenings, COMPLETED, ofSubject(subjectB));
  });
  afterAll(async () => {
    await h.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('re-screens every monitored subject when a list file changes and alerts only on hits new to each', async () => {
    const [firstAlert] = h.events(Topics.ComplianceAlerts, RAISED, ofSubject(subjectA));
    await appendFile(
      path.join(dir, 'targets.simple.csv'),
      row('fict-9001', 'Maria Fernanda Oliveira', '1990-02-03', 'br') + row('fict-9002', 'Viktor Kovalenko Drask', '1968-04-12', 'ua'),
    );
    const [a] = await h.waitForEvents(Topics.AmlScreenings, COMPLETED, ofSubject(subjectA, 'list_change'));
    const [b] = await h.waitForEvents(Topics.AmlScreenings, COMPLETED, ofSubject(subjectB, 'list_change'));
    expect((a.data.hits as any[]).map((x) => `${x.list}/${x.entityId}`).sort()).toEqual(['ofac-sdn/10001', 'opensanctions/fict-0001', 'opensanctions/fict-9002']);
    expect(b.data).toMatchObject({ sessionId: unlisted.data.sessionId });
    expect((b.data.hits as any[]).map((x) => x.entityId)).toEqual(['fict-9001']);
    expect((a.data.listVersions as any[]).find((v) => v.list === 'opensanctions').entryCount).toBe(32);

    const alertsA = await h.waitForEvents(Topics.ComplianceAlerts, RAISED, ofSubject(subjectA), 2);
    const alertsB = await h.waitForEvents(Topics.ComplianceAlerts, RAISED, ofSubject(subjectB));
    expect((firstAlert.data.details as any).hits.map((x: any) => x.entityId).sort()).toEqual(['10001', 'fict-0001']);
    expect((alertsA[1].data.details as any).hits.map((x: any) => x.entityId)).toEqual(['fict-9002']);
    expect((alertsA[1].data.details as any).previouslyAlertedHitCount).toBe(2);
    expect((alertsB[0].data.details as any).hits.map((x: any) => x.entityId)).toEqual(['fict-9001']);
    const lists = await h.http('/lists', { key: TEST_API_KEYS.analyst });
    expect(lists.body.lists.find((v: any) => v.list === 'opensanctions').contentHash).toBe((a.data.listVersions as any[]).find((v) => v.list === 'opensanctions').contentHash);
  });

  it('keeps a hit cleared as a false positive out of later re-screens', async () => {
    const [, newAlert] = await h.waitForEvents(Topics.ComplianceAlerts, RAISED, ofSubject(subjectA), 2);
    // A sanctions match takes two different people to clear: the proposer cannot be the second reviewer.
    const path_ = `/alerts/${newAlert.data.alertId}/review`;
    expect((await h.http(path_, { method: 'POST', key: TEST_API_KEYS.admin, body: { decision: 'false_positive', note: 'other person' } })).body.status).toBe('false_positive_proposed');
    expect(await h.http(path_, { method: 'POST', key: TEST_API_KEYS.admin, body: { decision: 'false_positive' } })).toMatchObject({ status: 403, body: { code: 'SAME_REVIEWER' } });
    const review = await h.http(path_, { method: 'POST', key: TEST_API_KEYS.auditor, body: { decision: 'false_positive' } });
    expect(review).toMatchObject({ status: 200, body: { status: 'false_positive' } });
    await appendFile(path.join(dir, 'targets.simple.csv'), row('fict-9003', 'Somebody Unrelated Entirely', '1950-01-01', 'fr'));
    const rescreens = await h.waitForEvents(Topics.AmlScreenings, COMPLETED, ofSubject(subjectA, 'list_change'), 2);
    expect((rescreens[1].data.hits as any[]).map((x) => x.entityId).sort()).toEqual(['10001', 'fict-0001']);
    await h.waitForEvents(Topics.AmlScreenings, COMPLETED, ofSubject(subjectB, 'list_change'), 2);
    expect(h.events(Topics.ComplianceAlerts, RAISED, ofSubject(subjectA))).toHaveLength(2);
  });

  it('lets only admins force a reload, and reports files it could not use without dropping the lists', async () => {
    expect((await h.http('/lists/reload', { method: 'POST', key: TEST_API_KEYS.analyst })).status).toBe(403);
    await writeFile(path.join(dir, 'broken.csv'), 'this,is\nnot,a watchlist\n');
    const reload = await h.http('/lists/reload', { method: 'POST', key: TEST_API_KEYS.admin });
    expect(reload.status).toBe(200);
    expect(reload.body).toMatchObject({ changed: false, problems: [expect.objectContaining({ file: 'broken.csv' })] });
    const lists = await h.http('/lists', { key: TEST_API_KEYS.auditor });
    expect(lists.body.lists.map((v: any) => v.list).sort()).toEqual(['ofac-sdn', 'opensanctions']);
    expect(lists.body.problems).toEqual([expect.objectContaining({ file: 'broken.csv' })]);
  });

  it('after a key rotation, moves the sealed identities to the new key at start and keeps monitoring them', async () => {
    const newKey = randomBytes(32).toString('base64');
    const newKeyId = new PiiCipher(newKey, 'aml-trigger').keyId;
    const keyIds = async () => (await sql<{ k: string }>(h.databaseUrl, "SELECT DISTINCT split_part(identity_sealed, '.', 2) AS k FROM aml_trigger.monitored_subjects")).map((r) => r.k);
    expect(await keyIds()).toEqual([new PiiCipher(PII_KEY, 'aml-trigger').keyId]);
    await h.restart({ AML_LISTS_DIR: dir, AML_LIST_POLL_MS: '150', PII_ENCRYPTION_KEY: `${newKey},${PII_KEY}` });

    const outcomes = await h.app.app.get(PiiRekeyService).done();
    expect(outcomes.find((o) => o.table === 'monitored_subjects')).toMatchObject({ rekeyed: 2, unreadable: 0 });
    expect(await keyIds()).toEqual([newKeyId]);
    // Still readable under the new key: a list change re-screens both subjects once more.
    const before = h.events(Topics.AmlScreenings, COMPLETED, ofSubject(subjectB, 'list_change')).length;
    await appendFile(path.join(dir, 'targets.simple.csv'), row('fict-9003', 'Ottilie Brandvold Quist', '1951-09-09', 'no'));
    await h.waitForEvents(Topics.AmlScreenings, COMPLETED, ofSubject(subjectB, 'list_change'), before + 1);
  });
});
