import { EventTypes, Topics, type DomainEvent } from '@compliance/contracts';
import type { ServiceApp } from '@compliance/platform';
import { waitFor } from '@compliance/testing';
import { AuditWorld, getJson, postJson } from '../../test/audit-harness';
import { erasureRequested, purgeDue, verificationStory } from '../../test/suite-events';
import { TopicReader } from '@compliance/messaging/testing';

describe('erasure and purge of audit data (real broker, real Postgres)', () => {
  const world = new AuditWorld('auditerase');
  let app: ServiceApp;
  let reader: TopicReader;
  const erased = verificationStory();
  const kept = verificationStory();
  const old = verificationStory({ start: new Date(Date.now() - 2 * 86_400_000) });

  const dataOf = async (sessionId: string) =>
    world.query('SELECT e.type, e.redacted_at, d.data FROM audit_log.audit_entry e LEFT JOIN audit_log.audit_entry_data d USING (sequence) WHERE e.session_id = $1', [sessionId]);
  const answer = (type: string, match: (d: any) => boolean): Promise<DomainEvent<any>> =>
    waitFor(() => reader.events(Topics.RetentionEvents).find((e) => e.type === type && e.source.endsWith('audit-log') && match(e.data)), { what: `${type} from audit-log` });

  beforeAll(async () => {
    await world.setUp();
    app = await world.start();
    reader = await new TopicReader(world.namespace, [Topics.RetentionEvents]).start();
    for (const s of [erased, kept, old]) {
      await world.send(Topics.WebhooksInbound, [s.webhook]);
      await world.send(Topics.KycVerifications, [s.approved]);
      await world.send(Topics.AmlScreenings, [s.requested, s.completed]);
      await world.send(Topics.ComplianceAlerts, [s.alert]);
    }
    await waitFor(async () => (await world.entryCount()) >= 15, { what: 'three stories chained' });
    expect((await postJson(app, `/sessions/${erased.sessionId}/notes`, { text: 'customer called twice' })).status).toBe(201);
  });

  afterAll(async () => {
    await Promise.all([reader?.stop(), world.tearDown()]);
  });

  it('redacts the subject’s data on an erasure request, confirms it, and the chain still verifies', async () => {
    const request = erasureRequested(erased.subjectRef);
    await world.send(Topics.RetentionCommands, [request]);
    const done = await answer(EventTypes.RetentionErasureCompleted, (d) => d.requestId === (request.data as any).requestId);
    expect(done.data).toMatchObject({ service: 'audit-log', subjectRef: erased.subjectRef, counts: { audit_entry_data: 6 } });

    const rows = await dataOf(erased.sessionId);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.data === null && r.redacted_at !== null)).toBe(true);
    expect((await dataOf(kept.sessionId)).every((r) => r.data !== null)).toBe(true);
    const verify = await getJson(app, '/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, redacted: 6 });
  });

  it('chains redacted, at once, an event of the erased subject consumed after the erasure, and keeps other subjects whole', async () => {
    // Published before the erasure, consumed after it (the kyc and retention topics are read independently).
    const late = verificationStory({ sessionId: erased.sessionId, subjectRef: erased.subjectRef });
    const other = verificationStory();
    await world.send(Topics.KycVerifications, [late.approved, other.approved]);
    // The webhook names only the session, which the trail linked to the erased subject before the erasure.
    await world.send(Topics.WebhooksInbound, [late.webhook]);
    const [approved, webhook, kept] = await Promise.all([late.approved, late.webhook, other.approved].map((e) => world.waitForEvent(e.id)));
    const [command] = await world.query("SELECT event_id, sequence FROM audit_log.audit_entry WHERE type = 'retention.erasure.requested' AND subject_ref = $1", [erased.subjectRef]);
    for (const entry of [approved, webhook]) {
      expect(Number(entry.sequence)).toBeGreaterThan(Number(command.sequence));
      expect(entry).toMatchObject({ redacted_by: command.event_id });
      expect(entry.redacted_at).not.toBeNull();
      expect(await world.query('SELECT 1 FROM audit_log.audit_entry_data WHERE sequence = $1', [entry.sequence])).toEqual([]);
    }
    expect(kept.redacted_at).toBeNull();
    const [keptData] = await world.query('SELECT data FROM audit_log.audit_entry_data WHERE sequence = $1', [kept.sequence]);
    expect(JSON.parse(keptData.data)).toMatchObject({ status: 'approved', decision: { documentType: 'Passport', issuingCountry: 'ESP' } });
    expect((await getJson(app, '/audit/verify')).body).toMatchObject({ ok: true, redacted: 8 });

    // The erasure still orders no redaction of another subject's entry: done by hand, it is caught.
    const [row] = await world.query('SELECT salt, data FROM audit_log.audit_entry_data WHERE sequence = $1', [kept.sequence]);
    await world.query('DELETE FROM audit_log.audit_entry_data WHERE sequence = $1', [kept.sequence]);
    await world.query('UPDATE audit_log.audit_entry SET redacted_at = now(), redacted_by = $2 WHERE sequence = $1', [kept.sequence, command.event_id]);
    try {
      expect((await getJson(app, '/audit/verify')).body).toMatchObject({
        ok: false,
        broken: { sequence: Number(kept.sequence), reason: expect.stringMatching(/is redacted, but no chained retention command that reaches it ordered that/) },
      });
    } finally {
      await world.query('INSERT INTO audit_log.audit_entry_data (sequence, salt, data) VALUES ($1, $2, $3)', [kept.sequence, row.salt, row.data]);
      await world.query('UPDATE audit_log.audit_entry SET redacted_at = NULL, redacted_by = NULL WHERE sequence = $1', [kept.sequence]);
    }
    expect((await getJson(app, '/audit/verify')).body).toMatchObject({ ok: true, redacted: 8 });
  });

  it('keeps the request and the redaction itself in the trail, and shows redacted steps without data', async () => {
    const trail = await world.query("SELECT e.type, d.data FROM audit_log.audit_entry e LEFT JOIN audit_log.audit_entry_data d USING (sequence) WHERE e.subject_ref = $1 AND (e.type LIKE 'retention.%' OR e.type = 'audit.data_redacted') ORDER BY e.sequence", [erased.subjectRef]);
    expect(trail.map((r) => r.type)).toEqual([EventTypes.RetentionErasureRequested, 'audit.data_redacted', EventTypes.RetentionErasureCompleted]);
    expect(JSON.parse(trail[1].data)).toMatchObject({ trigger: 'erasure', entries: 6 });
    const { body } = await getJson(app, `/sessions/${erased.sessionId}/timeline`);
    expect(body.steps.map((s: any) => [s.redacted, s.data])).toEqual(body.steps.map(() => [true, null]));
  });

  it('purges audit detail for one session on retention.purge.due and ignores categories it does not own', async () => {
    const notOurs = purgeDue('raw_webhooks', { sessionId: kept.sessionId });
    const ours = purgeDue('audit_detail', { sessionId: kept.sessionId });
    await world.send(Topics.RetentionCommands, [notOurs, ours]);
    const done = await answer(EventTypes.RetentionPurgeCompleted, (d) => d.purgeId === (ours.data as any).purgeId);
    expect(done.data).toMatchObject({ service: 'audit-log', category: 'audit_detail', sessionId: kept.sessionId, counts: { audit_entry_data: 5 } });
    expect(reader.events(Topics.RetentionEvents).some((e) => (e.data as any).purgeId === (notOurs.data as any).purgeId)).toBe(false);
    const rows = await dataOf(kept.sessionId);
    const isProtocol = (type: string) => type.startsWith('retention.') || type === 'audit.data_redacted';
    expect(rows.filter((r) => !isProtocol(r.type)).map((r) => r.data)).toEqual([null, null, null, null, null]);
    // The purge commands and the redaction record stay readable: they are the proof, with no personal data.
    expect(rows.filter((r) => isProtocol(r.type)).every((r) => r.data !== null)).toBe(true);
  });

  it('purges by age: only data whose clock started before the cut-off goes', async () => {
    const cutOff = new Date(Date.now() - 86_400_000).toISOString();
    const purge = purgeDue('audit_detail', { clockStartedBefore: cutOff });
    await world.send(Topics.RetentionCommands, [purge]);
    const done = await answer(EventTypes.RetentionPurgeCompleted, (d) => d.purgeId === (purge.data as any).purgeId);
    expect(done.data.counts).toEqual({ audit_entry_data: 5 });
    expect((await dataOf(old.sessionId)).every((r) => r.data === null)).toBe(true);
    expect((await getJson(app, '/audit/verify')).body).toMatchObject({ ok: true, redacted: 18 });
  });
});
