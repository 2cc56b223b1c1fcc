import { Topics } from '@compliance/contracts';
import { TopicNamespace } from '@compliance/messaging';
import { testKafka } from '@compliance/messaging/testing';
import type { ServiceApp } from '@compliance/platform';
import { waitFor } from '@compliance/testing';
import { AuditWorld, getJson, postJson } from '../../test/audit-harness';
import { verificationStory } from '../../test/suite-events';
import { CheckpointScheduler } from '../checkpoints/checkpoint.scheduler';
import { readPublishedCheckpoints } from '../verification/published-checkpoints';
import { mentionsIn } from './notes.dto';
import { TEST_API_KEYS } from '@compliance/platform/testing';

describe('session timeline and case notes (real broker, real Postgres)', () => {
  const world = new AuditWorld('auditsess');
  let app: ServiceApp;
  const story = verificationStory();

  beforeAll(async () => {
    await world.setUp();
    app = await world.start({ AUDIT_CHECKPOINT_INTERVAL_MS: '300' });
    // Each service publishes on its own topic; the timeline must put them back in the flow's order.
    await world.send(Topics.ComplianceAlerts, [story.alert]);
    await world.send(Topics.AmlScreenings, [story.requested, story.completed]);
    await world.send(Topics.KycVerifications, [story.approved]);
    await world.send(Topics.WebhooksInbound, [story.webhook]);
    for (const e of [story.alert, story.completed, story.approved, story.webhook]) await world.waitForEvent(e.id);
  });

  afterAll(() => world.tearDown());

  it('shows every step of a session that went webhook → approved → screened → alert, in order', async () => {
    const { status, body } = await getJson(app, `/sessions/${story.sessionId}/timeline`);
    expect(status).toBe(200);
    expect(body.subjectRef).toBe(story.subjectRef);
    expect(body.steps.map((s: { type: string }) => s.type)).toEqual([
      'webhook.received',
      'kyc.verification.approved',
      'aml.screening.requested',
      'aml.screening.completed',
      'compliance.alert.raised',
    ]);
    expect(body.steps[3].data).toMatchObject({ outcome: 'review', hits: [{ entityId: 'Q-ent-42' }] });
    expect(body.steps[4]).toMatchObject({ redacted: false, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('appends a case note with its author from the API key and its @mentions, shown last in the timeline', async () => {
    const note = await postJson(app, `/sessions/${story.sessionId}/notes`, { text: 'Same DOB as the list entry, @maria.lopez please check; cc @joe.' });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ type: 'audit.case_note', sessionId: story.sessionId, subjectRef: story.subjectRef, data: { author: 'ana', mentions: ['maria.lopez', 'joe'] } });
    const { body } = await getJson(app, `/sessions/${story.sessionId}/timeline`);
    expect(body.steps.at(-1)).toMatchObject({ type: 'audit.case_note', sequence: note.body.sequence, data: { text: expect.stringContaining('@maria.lopez') } });
  });

  it('offers no way to edit or delete a note', async () => {
    const note = await postJson(app, `/sessions/${story.sessionId}/notes`, { text: 'first' });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${app.url}/sessions/${story.sessionId}/notes/${note.body.sequence}`, { method, headers: { authorization: `Bearer ${TEST_API_KEYS.admin}` } });
      expect(res.status).toBe(404);
    }
    const [row] = await world.query('SELECT d.data FROM audit_log.audit_entry e JOIN audit_log.audit_entry_data d USING (sequence) WHERE e.sequence = $1', [note.body.sequence]);
    expect(JSON.parse(row.data).text).toBe('first');
  });

  it('refuses notes without a key, empty notes, and notes about an unknown session', async () => {
    const anonymous = await fetch(`${app.url}/sessions/${story.sessionId}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
    expect(anonymous.status).toBe(401);
    expect((await postJson(app, `/sessions/${story.sessionId}/notes`, { text: '' })).status).toBe(400);
    expect((await postJson(app, '/sessions/no-such-session/notes', { text: 'hello' })).status).toBe(404);
  });

  it('lets auditors read timelines but not analysts', async () => {
    expect((await getJson(app, `/sessions/${story.sessionId}/timeline`, TEST_API_KEYS.analyst)).status).toBe(403);
    expect((await getJson(app, '/sessions/unknown/timeline')).status).toBe(404);
  });

  it('signs the head every AUDIT_CHECKPOINT_INTERVAL_MS when fewer than N entries arrived, and only when it moved', async () => {
    const head = async () => Number((await world.query('SELECT sequence FROM audit_log.audit_chain_head'))[0].sequence);
    const checkpoints = () => world.query<{ sequence: string }>('SELECT sequence FROM audit_log.audit_checkpoint ORDER BY sequence');
    const at = await head();
    await waitFor(async () => (await checkpoints()).some((c) => Number(c.sequence) === at), { what: `a timed checkpoint at ${at}` });
    const count = (await checkpoints()).length;
    // A tick with the head unchanged signs nothing.
    expect(await app.app.get(CheckpointScheduler).tick()).toBeUndefined();
    expect(await checkpoints()).toHaveLength(count);
    // Each published once: the relay deletes what it has sent, so the topic is where they are counted.
    await waitFor(async () => (await world.query("SELECT count(*)::int AS n FROM audit_log.outbox WHERE topic = 'audit.checkpoints.v1'"))[0].n === 0, { what: 'the checkpoints sent' });
    expect(await readPublishedCheckpoints(testKafka('auditsess-checkpoints'), new TopicNamespace(world.namespace))).toHaveLength(count);
  });

  it('parses @mentions without e-mail addresses or trailing punctuation', () => {
    expect(mentionsIn('ping @ana, @bob. and @ana again; mail x@example.com')).toEqual(['ana', 'bob']);
  });
});
