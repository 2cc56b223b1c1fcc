import { randomUUID } from 'node:crypto';
import { EventSources, EventTypes, newEvent, Topics } from '@compliance/contracts';
import { AmlHarness, approvedEvent, LISTED_PERSON, UNLISTED_PERSON } from '../../test/aml-test-harness';
import { sql } from '@compliance/persistence/testing';
import { TEST_API_KEYS } from '@compliance/platform/testing';
import { waitFor } from '@compliance/testing';

const { AmlScreenings, ComplianceAlerts } = Topics;
const COMPLETED = EventTypes.AmlScreeningCompleted;
const RAISED = EventTypes.ComplianceAlertRaised;
/** On both sample lists (fict-0002, OFAC 10002) with the listed passport: a match whatever the tuning. */
const TARIQ = { fullName: 'Tariq Al-Zanduri', dateOfBirth: '1975', documentNumber: 'F0099123' };
const bySession = (sessionId: string) => (d: Record<string, unknown>) => d.sessionId === sessionId;

describe('aml-trigger: screening approved verifications (real Kafka, real Postgres, built-in screener)', () => {
  const h = new AmlHarness('amlappr');

  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('screens an approved person on the sample list as a match, in order requested → completed, and alerts an analyst', async () => {
    const approval = approvedEvent({ identity: LISTED_PERSON });
    await h.publishKyc(approval);
    const [completed] = await h.waitForEvents(AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    const data = completed.data as any;
    expect(data).toMatchObject({ outcome: 'match', provider: 'builtin', trigger: 'approval', subjectRef: approval.data.subjectRef });
    expect(data.hits.map((x: any) => `${x.list}/${x.entityId}`).sort()).toEqual(['ofac-sdn/10001', 'opensanctions/fict-0001']);
    expect(data.hits[0].breakdown).toMatchObject({ identifier: true });
    expect(data.listVersions.map((v: any) => v.list).sort()).toEqual(['ofac-sdn', 'opensanctions']);
    expect(data.algorithm.version).toBeTruthy();

    const records = h.reader.on(AmlScreenings).filter((r) => r.event?.data && (r.event.data as any).sessionId === approval.data.sessionId);
    expect(records.map((r) => r.event?.type)).toEqual([EventTypes.AmlScreeningRequested, COMPLETED]);
    expect(records.every((r) => r.key === approval.data.sessionId)).toBe(true);
    // The person's own attributes never travel on the screening topic.
    expect(records.map((r) => r.value).join()).not.toMatch(/ZX4471902|1968-04-12/);

    const [alert] = await h.waitForEvents(ComplianceAlerts, RAISED, bySession(approval.data.sessionId));
    expect(alert.data).toMatchObject({ kind: 'aml_match', severity: 'high', subjectRef: approval.data.subjectRef, screeningId: data.screeningId });
    expect((alert.data.details as any).hits[0]).toEqual(expect.objectContaining({ list: expect.any(String), entityId: expect.any(String), matchedName: expect.any(String), breakdown: expect.any(Object) }));
    expect((alert.data.details as any).listVersions).toHaveLength(2);

    const [subject] = await sql<{ identity_sealed: string }>(h.databaseUrl, 'SELECT identity_sealed FROM aml_trigger.monitored_subjects WHERE subject_ref = $1', [approval.data.subjectRef]);
    expect(subject.identity_sealed).not.toMatch(/Viktor|ZX4471902/);
    // An analyst sees the screened identity masked, as kyc-results shows it, and cannot ask for more.
    const view = await h.http(`/screenings/${data.screeningId}`, { key: TEST_API_KEYS.analyst });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ outcome: 'match', inputVisibility: 'masked', input: { fullName: 'V••• K•••', dateOfBirth: '1968', nationality: 'UA', documentNumber: '•••902' }, alertIds: [alert.data.alertId] });
    const listing = await h.http(`/subjects/${approval.data.subjectRef}/screenings`, { key: TEST_API_KEYS.analyst });
    // (The hits keep the listed entry's names: that is the list's data, which the analyst compares against.)
    expect(listing.body.screenings[0].input).toEqual(view.body.input);
    expect(JSON.stringify(listing.body)).not.toMatch(/1968-04-12|ZX4471902/);
    expect(await h.http(`/screenings/${data.screeningId}?identity=full`, { key: TEST_API_KEYS.analyst })).toMatchObject({
      status: 403,
      body: { code: 'REASON_REQUIRED', message: 'an analyst must give a reason (8 to 500 characters) to unmask an identity' },
    });
    expect(await h.http(`/subjects/${approval.data.subjectRef}/screenings?identity=full`, { key: TEST_API_KEYS.analyst })).toMatchObject({ status: 403, body: { code: 'REASON_REQUIRED' } });
    expect(h.events(AmlScreenings, EventTypes.AmlIdentityAccessed, (d) => d.subjectRef === approval.data.subjectRef)).toHaveLength(0);
    // An auditor sees it in full, and that read is recorded (who, which fields; no values) before it is answered.
    const full = await h.http(`/screenings/${data.screeningId}`, { key: TEST_API_KEYS.auditor });
    expect(full.body).toMatchObject({ inputVisibility: 'full', input: LISTED_PERSON });
    const [accessed] = await h.waitForEvents(AmlScreenings, EventTypes.AmlIdentityAccessed, (d) => d.subjectRef === approval.data.subjectRef);
    expect(accessed.data).toMatchObject({ screeningIds: [data.screeningId], sessionId: approval.data.sessionId, role: 'auditor', fields: ['dateOfBirth', 'documentNumber', 'fullName', 'nationality'] });
    expect(JSON.stringify(accessed.data)).not.toMatch(/Kovalenko|ZX4471902/);
    const masked = await h.http(`/screenings/${data.screeningId}?identity=masked`, { key: TEST_API_KEYS.auditor });
    expect(masked.body).toMatchObject({ inputVisibility: 'masked', input: { fullName: 'V••• K•••', dateOfBirth: '1968', nationality: 'UA', documentNumber: '•••902' } });
  });

  it('shows an analyst who gives a reason the screened identity in full, and records the access with role analyst and the reason', async () => {
    const approval = approvedEvent({ identity: LISTED_PERSON });
    await h.publishKyc(approval);
    const [completed] = await h.waitForEvents(AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    const screeningId = (completed.data as { screeningId: string }).screeningId;
    const ofSubject = (d: Record<string, unknown>) => d.subjectRef === approval.data.subjectRef;
    const reason = 'alert review: compare the passport with the listed entry';

    const one = await h.http(`/screenings/${screeningId}?identity=full&reason=${encodeURIComponent(reason)}`, { key: TEST_API_KEYS.analyst });
    expect(one).toMatchObject({ status: 200, body: { inputVisibility: 'full', input: LISTED_PERSON } });
    const [accessed] = await h.waitForEvents(AmlScreenings, EventTypes.AmlIdentityAccessed, ofSubject);
    expect(accessed.data).toEqual({
      subjectRef: approval.data.subjectRef,
      sessionId: approval.data.sessionId,
      screeningIds: [screeningId],
      accessedBy: 'ana',
      role: 'analyst',
      fields: ['dateOfBirth', 'documentNumber', 'fullName', 'nationality'],
      accessedAt: expect.any(String),
      reason,
    });

    const listing = await h.http(`/subjects/${approval.data.subjectRef}/screenings?identity=full&reason=${encodeURIComponent(reason)}`, { key: TEST_API_KEYS.analyst });
    expect(listing.body.screenings[0]).toMatchObject({ inputVisibility: 'full', input: LISTED_PERSON });
    const both = await h.waitForEvents(AmlScreenings, EventTypes.AmlIdentityAccessed, ofSubject, 2);
    expect(both[1].data).toMatchObject({ role: 'analyst', reason });

    // A reason alone does not unmask: an analyst asks for identity=full; too short or too long is 400 for anyone.
    expect((await h.http(`/screenings/${screeningId}?reason=${encodeURIComponent(reason)}`, { key: TEST_API_KEYS.analyst })).body.inputVisibility).toBe('masked');
    for (const bad of ['7 chars', 'x'.repeat(501)]) {
      for (const key of [TEST_API_KEYS.analyst, TEST_API_KEYS.admin]) {
        const res = await h.http(`/screenings/${screeningId}?identity=full&reason=${encodeURIComponent(bad)}`, { key });
        expect(res).toMatchObject({ status: 400, body: { message: ['reason must be 8 to 500 characters'] } });
      }
    }
    expect((await h.http(`/subjects/${approval.data.subjectRef}/screenings?identity=full&reason=short`, { key: TEST_API_KEYS.analyst })).status).toBe(400);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.events(AmlScreenings, EventTypes.AmlIdentityAccessed, ofSubject)).toHaveLength(2);
  });

  it('clears a person who is not on the list and raises no alert', async () => {
    const approval = approvedEvent({ identity: UNLISTED_PERSON });
    await h.publishKyc(approval);
    const [completed] = await h.waitForEvents(AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    expect(completed.data).toMatchObject({ outcome: 'clear', hits: [] });
    // An alert would have been committed with the completion: none exists.
    const alerts = await sql(h.databaseUrl, 'SELECT id FROM aml_trigger.alerts WHERE session_id = $1', [approval.data.sessionId]);
    expect(alerts).toHaveLength(0);
    expect(h.events(ComplianceAlerts, RAISED, bySession(approval.data.sessionId))).toHaveLength(0);
  });

  it('screens one approval once, even delivered twice and re-sent under a new event id', async () => {
    const approval = approvedEvent({ identity: LISTED_PERSON });
    await h.publishKyc(approval);
    await h.publishKyc(approval);
    await h.publishKyc({ ...approval, id: randomUUID() });
    const marker = approvedEvent({ identity: UNLISTED_PERSON, sessionId: approval.data.sessionId + '-marker' });
    await h.publishKyc(marker);
    await h.waitForEvents(AmlScreenings, COMPLETED, bySession(marker.data.sessionId));
    await h.waitForEvents(ComplianceAlerts, RAISED, bySession(approval.data.sessionId));
    expect(h.events(AmlScreenings, EventTypes.AmlScreeningRequested, bySession(approval.data.sessionId))).toHaveLength(1);
    expect(h.events(AmlScreenings, COMPLETED, bySession(approval.data.sessionId))).toHaveLength(1);
    expect(await sql(h.databaseUrl, 'SELECT id FROM aml_trigger.screenings WHERE session_id = $1', [approval.data.sessionId])).toHaveLength(1);
    expect(h.events(ComplianceAlerts, RAISED, bySession(approval.data.sessionId))).toHaveLength(1);
  });

  it('records the provider’s own AML summary as its screening beside ours', async () => {
    const approval = approvedEvent({ identity: UNLISTED_PERSON, providerAml: { status: 'In Review', totalHits: 1, score: 82.5 } });
    await h.publishKyc(approval);
    const completed = await h.waitForEvents(AmlScreenings, COMPLETED, bySession(approval.data.sessionId), 2);
    const provider = completed.find((e) => e.data.provider === 'didit');
    expect(provider?.data).toMatchObject({ trigger: 'provider_webhook', outcome: 'review', providerSummary: { status: 'In Review', totalHits: 1, score: 82.5 } });
    expect(completed.find((e) => e.data.provider === 'builtin')?.data).toMatchObject({ trigger: 'approval', outcome: 'clear' });
    const listing = await h.http(`/subjects/${approval.data.subjectRef}/screenings`, { key: TEST_API_KEYS.auditor });
    expect(listing.body.screenings.map((s: any) => s.provider).sort()).toEqual(['builtin', 'didit']);
  });

  it('never skips an approval it cannot screen: aml.screening.failed and an alert', async () => {
    const approval = approvedEvent({ identity: undefined });
    await h.publishKyc(approval);
    const [failed] = await h.waitForEvents(AmlScreenings, EventTypes.AmlScreeningFailed, bySession(approval.data.sessionId));
    expect(failed.data.reason).toMatch(/no name/);
    const [alert] = await h.waitForEvents(ComplianceAlerts, RAISED, bySession(approval.data.sessionId));
    expect(alert.data).toMatchObject({ kind: 'aml_screening_failed', severity: 'high' });
  });

  it('re-screens when the identity changes while approved, and not when it stays the same', async () => {
    const approval = approvedEvent({ identity: UNLISTED_PERSON });
    await h.publishKyc(approval);
    await h.waitForEvents(AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    const same = approvedEvent({ ...approval.data, change: 'data_updated', identity: UNLISTED_PERSON });
    const changed = approvedEvent({ ...approval.data, change: 'data_updated', identity: TARIQ });
    await h.publishKyc(same);
    await h.publishKyc(changed);
    const done = await h.waitForEvents(AmlScreenings, COMPLETED, bySession(approval.data.sessionId), 2);
    expect(done.map((e) => e.data.trigger)).toEqual(['approval', 'identity_update']);
    expect(done[1].data.outcome).toBe('match');
    expect((done[1].data.hits as any[]).map((x) => x.entityId)).toContain('fict-0002');
  });

  it('screens ad hoc for analysts only', async () => {
    const body = { subjectRef: 'adhoc-1', ...LISTED_PERSON };
    expect((await h.http('/screenings', { method: 'POST', body })).status).toBe(401);
    const bad = await h.http('/screenings', { method: 'POST', key: TEST_API_KEYS.analyst, body: { subjectRef: 'adhoc-1', fullName: '' } });
    expect(bad.status).toBe(400);
    const res = await h.http('/screenings', { method: 'POST', key: TEST_API_KEYS.analyst, body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ trigger: 'adhoc', status: 'completed', outcome: 'match', inputVisibility: 'masked', input: { fullName: 'V••• K•••', dateOfBirth: '1968', nationality: 'UA', documentNumber: '•••902' } });
    expect((await h.http(`/screenings/${randomUUID()}`, { key: TEST_API_KEYS.analyst })).status).toBe(404);
  });

  it('a false-positive review suppresses those entities for the subject next time; a confirmation is published too', async () => {
    const subjectRef = `fp-${randomUUID()}`;
    const first = approvedEvent({ subjectRef, identity: TARIQ });
    await h.publishKyc(first);
    const [alert] = await h.waitForEvents(ComplianceAlerts, RAISED, bySession(first.data.sessionId));
    const alertId = alert.data.alertId as string;
    expect((await h.http(`/alerts/${alertId}/review`, { method: 'POST', body: { decision: 'false_positive' } })).status).toBe(401);
    expect((await h.http(`/alerts/${alertId}/review`, { method: 'POST', key: TEST_API_KEYS.analyst, body: { decision: 'maybe' } })).status).toBe(400);
    expect(alert.data).toMatchObject({ kind: 'aml_match' });
    // Four eyes on a likely sanctions match: one analyst alone cannot clear it. A note is required,
    // and the clearance is a proposal until a second, different auditor or admin confirms it.
    const noNote = await h.http(`/alerts/${alertId}/review`, { method: 'POST', key: TEST_API_KEYS.analyst, body: { decision: 'false_positive' } });
    expect(noNote).toMatchObject({ status: 400, body: { code: 'NOTE_REQUIRED' } });
    const review = await h.http(`/alerts/${alertId}/review`, { method: 'POST', key: TEST_API_KEYS.analyst, body: { decision: 'false_positive', note: 'different person, DOB differs' } });
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({ status: 'false_positive_proposed', proposal: { decision: 'false_positive', by: 'ana', note: 'different person, DOB differs' } });
    expect(review.body.review).toBeUndefined();
    const [proposed] = await h.waitForEvents(ComplianceAlerts, EventTypes.ComplianceAlertReviewProposed, (d) => d.alertId === alertId);
    expect(proposed.data).toMatchObject({ proposal: 'false_positive', proposedBy: 'ana', subjectRef });
    // Nothing is suppressed yet; the same analyst again, or another analyst, cannot finish it.
    expect(await sql(h.databaseUrl, "SELECT 1 FROM aml_trigger.subject_hits WHERE subject_ref = $1 AND state = 'suppressed'", [subjectRef])).toHaveLength(0);
    const again1 = await h.http(`/alerts/${alertId}/review`, { method: 'POST', key: TEST_API_KEYS.analyst, body: { decision: 'false_positive', note: 'still sure' } });
    expect(again1).toMatchObject({ status: 403, body: { code: 'SECOND_REVIEW_ROLE' } });
    expect(h.events(ComplianceAlerts, EventTypes.ComplianceAlertResolved, (d) => d.alertId === alertId)).toHaveLength(0);
    const second = await h.http(`/alerts/${alertId}/review`, { method: 'POST', key: TEST_API_KEYS.auditor, body: { decision: 'false_positive' } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'false_positive', review: { by: 'ana', secondReviewer: 'aud', note: 'different person, DOB differs' } });
    const [resolved] = await h.waitForEvents(ComplianceAlerts, EventTypes.ComplianceAlertResolved, (d) => d.alertId === alertId);
    expect(resolved.data).toMatchObject({ resolution: 'false_positive', reviewer: 'ana', secondReviewer: 'aud', subjectRef, sessionId: first.data.sessionId });
    expect((await h.http(`/alerts/${alertId}/review`, { method: 'POST', key: TEST_API_KEYS.analyst, body: { decision: 'confirmed' } })).status).toBe(409);
    expect((await h.http(`/alerts/${alertId}`, { key: TEST_API_KEYS.analyst })).body).toMatchObject({ status: 'false_positive', hitKeys: expect.arrayContaining(['opensanctions/fict-0002']) });

    const again = approvedEvent({ subjectRef, identity: TARIQ });
    await h.publishKyc(again);
    const [next] = await h.waitForEvents(AmlScreenings, COMPLETED, bySession(again.data.sessionId));
    expect(next.data).toMatchObject({ outcome: 'clear', hits: [] });
    expect(await sql(h.databaseUrl, 'SELECT id FROM aml_trigger.alerts WHERE session_id = $1', [again.data.sessionId])).toHaveLength(0);

    const other = approvedEvent({ identity: LISTED_PERSON });
    await h.publishKyc(other);
    const [otherAlert] = await h.waitForEvents(ComplianceAlerts, RAISED, bySession(other.data.sessionId));
    const confirm = await h.http(`/alerts/${otherAlert.data.alertId}/review`, { method: 'POST', key: TEST_API_KEYS.admin, body: { decision: 'confirmed' } });
    expect(confirm.status).toBe(200);
    const [confirmed] = await h.waitForEvents(ComplianceAlerts, EventTypes.ComplianceAlertResolved, (d) => d.alertId === otherAlert.data.alertId);
    expect(confirmed.data).toMatchObject({ resolution: 'confirmed', reviewer: 'adm' });
  });

  it('erases a subject’s identity on request, keeps the screening outcome, and confirms with counts', async () => {
    const approval = approvedEvent({ identity: LISTED_PERSON });
    await h.publishKyc(approval);
    const [completed] = await h.waitForEvents(AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    await h.waitForEvents(ComplianceAlerts, RAISED, bySession(approval.data.sessionId));
    const { subjectRef, sessionId } = approval.data;
    // The relay deletes each outbox row once Kafka has it: no copy of the published events stays behind.
    await waitFor(async () => (await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.outbox WHERE key = ANY($1)', [[sessionId, subjectRef]])).length === 0, { what: 'the outbox emptied once sent' });
    const requestId = randomUUID();
    const erasure = newEvent({
      type: EventTypes.RetentionErasureRequested,
      source: EventSources.Retention,
      subject: subjectRef,
      data: { requestId, subjectRef, reason: 'gdpr_art_17', expectedServices: ['aml-trigger'], sessionIds: [sessionId], requestedAt: new Date().toISOString() },
    });
    await h.publish(Topics.RetentionCommands, erasure, subjectRef as string);
    const [done] = await h.waitForEvents(Topics.RetentionEvents, EventTypes.RetentionErasureCompleted, (d) => d.requestId === requestId);
    expect(done.data).toMatchObject({ service: 'aml-trigger', subjectRef, counts: { monitored_subjects: 1, screenings_redacted: 1 } });
    expect((done.data.counts as any).outbox).toBe(0);
    const view = await h.http(`/screenings/${completed.data.screeningId}`, { key: TEST_API_KEYS.analyst });
    expect(view.body).toMatchObject({ input: null, outcome: 'match' });
    expect(view.body.erasedAt).toBeTruthy();
    expect(await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.monitored_subjects WHERE subject_ref = $1', [subjectRef])).toHaveLength(0);
    expect(await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.outbox WHERE key = $1', [sessionId])).toHaveLength(0);
    // The listed name the subject matched identifies the subject too: gone from hits, alert details and summary.
    const lastName = LISTED_PERSON.fullName.split(' ').pop() as string;
    const screeningRows = await sql(h.databaseUrl, 'SELECT hits::text AS t FROM aml_trigger.screenings WHERE session_id = $1', [sessionId]);
    const alertRows = await sql(h.databaseUrl, "SELECT summary || details::text AS t FROM aml_trigger.alerts WHERE session_id = $1", [sessionId]);
    expect(screeningRows.length + alertRows.length).toBeGreaterThan(1);
    for (const row of [...screeningRows, ...alertRows]) expect(String(row.t)).not.toContain(lastName);
    expect(String(screeningRows[0].t)).toContain('entityId');
    expect((done.data.counts as any).tombstones).toBe(2);

    // The erasure sticks: approvals that arrive after it (the same session re-sent, an identity update,
    // a new session of the same subject) store no personal data, screen nobody and monitor nobody.
    const late = [
      approvedEvent({ sessionId, subjectRef: subjectRef as string, identity: LISTED_PERSON }),
      approvedEvent({ sessionId, subjectRef: subjectRef as string, identity: LISTED_PERSON, change: 'data_updated' }),
      approvedEvent({ subjectRef: subjectRef as string, identity: LISTED_PERSON, providerAml: { status: 'Approved', totalHits: 1 } }),
    ];
    const screeningsBefore = await sql(h.databaseUrl, 'SELECT count(*)::int AS n FROM aml_trigger.screenings');
    for (const event of late) await h.publishKyc(event);
    await waitFor(async () => (await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.inbox WHERE event_id = ANY($1::text[])', [late.map((e) => e.id)])).length === late.length, {
      what: 'the late approvals consumed',
    });
    expect(await sql(h.databaseUrl, 'SELECT count(*)::int AS n FROM aml_trigger.screenings')).toEqual(screeningsBefore);
    expect(await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.monitored_subjects WHERE subject_ref = $1', [subjectRef])).toHaveLength(0);
    expect(await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.subject_hits WHERE subject_ref = $1', [subjectRef])).toHaveLength(0);
    const tables = await sql(h.databaseUrl, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'aml_trigger' AND table_type = 'BASE TABLE'");
    for (const { table_name } of tables) {
      const rows = await sql(h.databaseUrl, `SELECT t::text AS t FROM aml_trigger."${table_name}" t`);
      const about = rows.filter((row) => [subjectRef as string, sessionId, late[2].data.sessionId].some((ref) => String(row.t).includes(ref)));
      for (const row of about) expect(String(row.t)).not.toContain('Kovalenko');
    }
    expect(h.events(AmlScreenings, undefined, (d) => late.some((e) => e.data.sessionId === d.sessionId) && d.sessionId !== sessionId)).toHaveLength(0);
  });

  it('purges screening data when it owns the category and ignores other categories', async () => {
    const approval = approvedEvent({ identity: UNLISTED_PERSON });
    await h.publishKyc(approval);
    await h.waitForEvents(AmlScreenings, COMPLETED, bySession(approval.data.sessionId));
    const subjectRef = approval.data.subjectRef as string;
    const purge = (category: string) =>
      newEvent({
        type: EventTypes.RetentionPurgeDue,
        source: EventSources.Retention,
        subject: subjectRef,
        data: { purgeId: randomUUID(), category, subjectRef, clockStartedBefore: new Date().toISOString(), dueAt: new Date().toISOString() },
      });
    const notOurs = purge('raw_webhooks');
    const ours = purge('screening_data');
    await h.publish(Topics.RetentionCommands, notOurs, subjectRef);
    await h.publish(Topics.RetentionCommands, ours, subjectRef);
    const [done] = await h.waitForEvents(Topics.RetentionEvents, EventTypes.RetentionPurgeCompleted, (d) => d.purgeId === ours.data.purgeId);
    expect(done.data).toMatchObject({ service: 'aml-trigger', category: 'screening_data', subjectRef, counts: { screenings: 1, monitored_subjects: 1 } });
    expect(h.events(Topics.RetentionEvents, EventTypes.RetentionPurgeCompleted, (d) => d.purgeId === notOurs.data.purgeId)).toHaveLength(0);
    expect(await sql(h.databaseUrl, 'SELECT 1 FROM aml_trigger.screenings WHERE subject_ref = $1', [subjectRef])).toHaveLength(0);
  });
});
