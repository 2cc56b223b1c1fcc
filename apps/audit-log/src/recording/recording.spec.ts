import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import {
  auditCheckpointMessage,
  dlqTopicOf,
  encodeEvent,
  EventSources,
  EventTypes,
  newEvent,
  Topics,
  validateEvent,
  type AuditCheckpointData,
} from '@compliance/contracts';
import { RetryHeaders } from '@compliance/messaging';
import { waitFor } from '@compliance/testing';
import { AuditWorld } from '../../test/audit-harness';
import { policyChanged, purgeDue, rejectedWebhook, verificationStory } from '../../test/suite-events';
import { TopicReader } from '@compliance/messaging/testing';

describe('audit-log records every topic of the suite (real broker, real Postgres)', () => {
  const world = new AuditWorld('auditrec');
  let reader: TopicReader;
  const story = verificationStory();
  const rejected = rejectedWebhook();
  const policy = policyChanged();
  const purge = purgeDue('raw_webhooks');
  // A dead letter as kyc-results' runtime forwards it: the original record plus why it gave up.
  const poisoned = newEvent({ type: EventTypes.WebhookReceived, source: EventSources.WebhookGateway, subject: story.sessionId, data: { sessionId: story.sessionId, secret: 'VALUE-NEVER-KEPT' } });
  const deadLetter = encodeEvent(poisoned, story.sessionId);
  deadLetter.headers = {
    ...deadLetter.headers,
    [RetryHeaders.OriginalTopic]: Topics.WebhooksInbound,
    [RetryHeaders.OriginalPartition]: '1',
    [RetryHeaders.OriginalOffset]: '41',
    [RetryHeaders.ConsumerGroup]: 'kyc-results',
    [RetryHeaders.Attempt]: '0',
    [RetryHeaders.ErrorCode]: 'EVENT_INVALID',
    [RetryHeaders.LastError]: 'EventValidationError: invalid webhook.received: payload must be an object',
    [RetryHeaders.FailedAt]: new Date().toISOString(),
  };
  const garbage = { key: 'k', value: 'not json at all VALUE-NEVER-KEPT', headers: {} };
  const ordered = [story.webhook, story.inProgress, story.approved, story.requested, story.completed, story.alert, rejected, policy, purge];

  async function publishAll(): Promise<void> {
    await world.send(Topics.WebhooksInbound, [story.webhook]);
    await world.send(Topics.KycVerifications, [story.inProgress, story.approved]);
    await world.send(Topics.AmlScreenings, [story.requested, story.completed]);
    await world.send(Topics.ComplianceAlerts, [story.alert]);
    await world.send(Topics.WebhooksRejected, [rejected]);
    await world.send(Topics.RetentionEvents, [policy]);
    await world.send(Topics.RetentionCommands, [purge]);
    await world.producer.send(dlqTopicOf('kyc-results'), [deadLetter]);
    await world.producer.send(dlqTopicOf('aml-trigger'), [garbage]);
  }

  beforeAll(async () => {
    await world.setUp();
    await world.start({ AUDIT_CHECKPOINT_EVERY: '5' });
    reader = await new TopicReader(world.namespace, [Topics.AuditCheckpoints]).start();
    await publishAll();
    await waitFor(async () => (await world.entryCount()) >= ordered.length + 2, { what: 'every event chained' });
  });

  afterAll(async () => {
    await Promise.all([reader?.stop(), world.tearDown()]);
  });

  it('chains each event of every topic exactly once, with contiguous sequence numbers', async () => {
    const rows = await world.query('SELECT sequence, event_id, type FROM audit_log.audit_entry ORDER BY sequence');
    expect(rows.map((r) => Number(r.sequence))).toEqual(rows.map((_, i) => i + 1));
    for (const e of ordered) expect(rows.filter((r) => r.event_id === e.id).map((r) => r.type)).toEqual([e.type]);
    expect(rows.filter((r) => r.type === 'audit.dead_letter')).toHaveLength(2);
  });

  it('keeps the order of one session: in progress before approved, requested before completed', async () => {
    const seq = async (id: string) => Number((await world.waitForEvent(id)).sequence);
    expect(await seq(story.inProgress.id)).toBeLessThan(await seq(story.approved.id));
    expect(await seq(story.requested.id)).toBeLessThan(await seq(story.completed.id));
  });

  it('adds nothing when every record is delivered again', async () => {
    const before = await world.entryCount();
    await publishAll();
    const marker = policyChanged();
    await world.send(Topics.RetentionEvents, [marker]);
    await world.waitForEvent(marker.id, 'the marker after the redelivery');
    expect(await world.entryCount()).toBe(before + 1);
  });

  it('keeps webhook metadata and verification outcomes but no payload or identity data', async () => {
    const entry = async (id: string) =>
      (await world.query('SELECT e.subject_ref, e.session_id, d.data FROM audit_log.audit_entry e JOIN audit_log.audit_entry_data d USING (sequence) WHERE e.event_id = $1', [id]))[0];
    const webhook = await entry(story.webhook.id);
    expect(webhook).toMatchObject({ subject_ref: story.subjectRef, session_id: story.sessionId });
    expect(JSON.parse(webhook.data)).toEqual(expect.objectContaining({ webhookType: 'status.updated', status: 'Approved', source: 'didit' }));
    expect(webhook.data).not.toContain('payload');
    const approved = JSON.parse((await entry(story.approved.id)).data);
    expect(approved).toMatchObject({ status: 'approved', identityProvided: true, decision: { livenessScore: 96 } });
    expect(JSON.parse((await entry(story.completed.id)).data).hits).toEqual([{ list: 'opensanctions', entityId: 'Q-ent-42', score: 0.91 }]);
    const everything = (await world.query('SELECT string_agg(data, \' \') AS all FROM audit_log.audit_entry_data'))[0].all as string;
    for (const secret of ['Ana', 'Núñez', '1990-04-02', 'X1234567', '203.0.113.9', 'VALUE-NEVER-KEPT']) expect(everything).not.toContain(secret);
  });

  it('records a dead letter of another service as a fact: group, original topic, error, original id, never the value', async () => {
    const rows = await world.query(
      "SELECT e.source, e.session_id, d.data FROM audit_log.audit_entry e JOIN audit_log.audit_entry_data d USING (sequence) WHERE e.type = 'audit.dead_letter' ORDER BY e.sequence",
    );
    const facts = rows.map((r) => ({ ...r, data: JSON.parse(r.data) }));
    const kyc = facts.find((f) => f.data.group === 'kyc-results');
    expect(kyc).toMatchObject({
      source: EventSources.KycResults,
      session_id: story.sessionId,
      data: { originalTopic: Topics.WebhooksInbound, errorCode: 'EVENT_INVALID', originalEventId: poisoned.id, originalType: EventTypes.WebhookReceived },
    });
    expect(kyc?.data.error).toContain('payload must be an object');
    expect(facts.find((f) => f.data.group === 'aml-trigger')?.data).toMatchObject({ dlqTopic: 'aml-trigger.dlq', errorCode: 'UNKNOWN' });
  });

  it('publishes signed checkpoints that verify with the public key and fail with another', async () => {
    const record = await waitFor(() => reader.on(Topics.AuditCheckpoints)[0], { what: 'a checkpoint on audit.checkpoints.v1' });
    const event = record.event!;
    expect(() => validateEvent(event)).not.toThrow();
    const cp = event.data as AuditCheckpointData;
    const [entry] = await world.query('SELECT hash FROM audit_log.audit_entry WHERE sequence = $1', [cp.sequence]);
    expect(entry.hash).toBe(cp.hash);
    const message = Buffer.from(auditCheckpointMessage(cp));
    const signature = Buffer.from(cp.signature, 'base64');
    expect(verify(null, message, createPublicKey(world.key.publicPem), signature)).toBe(true);
    expect(verify(null, message, generateKeyPairSync('ed25519').publicKey, signature)).toBe(false);
  });
});
