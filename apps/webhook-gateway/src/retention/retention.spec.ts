import { randomUUID } from 'node:crypto';
import { encodeEvent, EventSources, EventTypes, newEvent, Topics, type ErasureRequestedData, type PurgeDueData } from '@compliance/contracts';
import { EventProducer, TopicNamespace } from '@compliance/messaging';
import { diditSession, waitFor } from '@compliance/testing';
import { nonEmpty, postDidit, readGatewayTopics, startGateway, type Gateway } from '../../test/gateway-harness';
import { toInboundWebhook } from '../ingest/inbound-webhook';
import { sql } from '@compliance/persistence/testing';
import { testKafka, type TopicReader } from '@compliance/messaging/testing';

describe('retention commands: erasure and raw_webhooks purges (real Kafka, real Postgres)', () => {
  let gw: Gateway;
  let reader: TopicReader;
  let producer: EventProducer;

  const command = async (type: string, key: string, data: object) => {
    const event = newEvent({ type, source: EventSources.Retention, subject: key, data });
    await producer.send(Topics.RetentionCommands, [encodeEvent(event, key)]);
  };
  const answer = (type: string, field: string, value: string) =>
    waitFor(() => nonEmpty(reader.on(Topics.RetentionEvents).filter((r) => r.event?.type === type && (r.event.data as Record<string, unknown>)[field] === value)), {
      what: `${type} for ${value}`,
    });
  const rows = async (table: 'deliveries' | 'spool', where: string, params: unknown[]) =>
    (await sql<{ n: number }>(gw.databaseUrl, `SELECT count(*)::int AS n FROM webhook_gateway.${table} WHERE ${where}`, params))[0].n;

  /** A spooled webhook the relay must not publish yet (as if its produce were still in flight). */
  async function heldInSpool(payload: Record<string, unknown>): Promise<void> {
    const w = toInboundWebhook({
      source: 'didit',
      scheme: 'didit',
      facts: { deliveryId: payload.event_id as string, sessionId: payload.session_id as string, subjectRef: payload.vendor_data as string },
      payload,
      receivedAt: new Date(),
    });
    await sql(
      gw.databaseUrl,
      `INSERT INTO webhook_gateway.spool (event_id, session_key, subject_ref, value, headers, received_at, hold_until)
       VALUES ($1, $2, $3, $4, $5, now(), now() + interval '1 hour')`,
      [w.eventId, w.key, w.subjectRef, w.record.value, JSON.stringify(w.record.headers)],
    );
  }

  beforeAll(async () => {
    gw = await startGateway('gw-retention');
    reader = await readGatewayTopics(gw.namespace);
    producer = new EventProducer(testKafka('gw-retention'), new TopicNamespace(gw.namespace));
  });

  afterAll(async () => {
    await producer?.disconnect();
    await reader?.stop();
    await gw?.app.close();
  });

  it('erases a subject: its dedupe rows (also those of its sessions without vendor_data) and spooled payloads, then confirms', async () => {
    const subject = `customer-${randomUUID()}`;
    const other = `customer-${randomUUID()}`;
    const s1 = diditSession('v3-approved', { vendor_data: subject });
    const notStarted = diditSession('v3-in-progress', { session_id: s1.session_id, status: 'Not Started', vendor_data: undefined });
    for (const p of [s1, notStarted, diditSession('v3-approved', { vendor_data: other })]) expect((await postDidit(gw.url, JSON.stringify(p))).status).toBe(202);
    await heldInSpool(diditSession('v3-in-review-aml-hit', { vendor_data: subject }));
    const named = diditSession('v3-in-progress', { vendor_data: undefined });
    expect((await postDidit(gw.url, JSON.stringify(named))).status).toBe(202);

    const requestId = randomUUID();
    const data: ErasureRequestedData = {
      requestId,
      subjectRef: subject,
      reason: 'data subject request',
      expectedServices: ['webhook-gateway'],
      sessionIds: [named.session_id as string],
      requestedAt: new Date().toISOString(),
    };
    await command(EventTypes.RetentionErasureRequested, subject, data);

    const [record] = await answer(EventTypes.RetentionErasureCompleted, 'requestId', requestId);
    expect(record.key).toBe(subject);
    expect(record.event?.source).toBe(EventSources.WebhookGateway);
    expect(record.event?.data).toMatchObject({ service: 'webhook-gateway', subjectRef: subject, counts: { spool: 1, deliveries: 3, replay_guards: 3, outbox: 0 } });
    expect(await rows('deliveries', 'subject_ref = $1 OR session_key = ANY($2)', [subject, [s1.session_id, named.session_id]])).toBe(0);
    expect(await rows('spool', 'subject_ref = $1', [subject])).toBe(0);
    expect(await rows('deliveries', 'subject_ref = $1', [other])).toBe(1);
    // What stays of a recent erased delivery names nobody: no subject, no session, no payload.
    const guards = await sql<Record<string, unknown>>(gw.databaseUrl, "SELECT * FROM webhook_gateway.deliveries WHERE session_key LIKE 'forgotten:%'");
    expect(JSON.stringify(guards)).not.toMatch(new RegExp(`${subject}|${s1.session_id}|${named.session_id}`));

    // A replay of an erased webhook (the same signed body, a fresh X-Timestamp) is a duplicate, not a new event.
    const inboundBefore = reader.on(Topics.WebhooksInbound).length;
    const replay = await postDidit(gw.url, JSON.stringify(s1));
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ duplicate: true });
    expect(await rows('deliveries', 'subject_ref = $1 OR session_key = $2', [subject, s1.session_id])).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(reader.on(Topics.WebhooksInbound).length).toBe(inboundBefore);

    await command(EventTypes.RetentionErasureRequested, subject, { ...data, requestedAt: new Date().toISOString() });
    await waitFor(() => reader.on(Topics.RetentionEvents).filter((r) => (r.event?.data as { requestId?: string }).requestId === requestId).length === 2, {
      what: 'the repeated confirmation',
    });
    expect(reader.on(Topics.RetentionEvents).filter((r) => (r.event?.data as { requestId?: string }).requestId === requestId)[1].event?.data).toMatchObject({
      counts: { spool: 0, deliveries: 0, replay_guards: 0 },
    });
  });

  it('purges one session’s raw webhooks on retention.purge.due for raw_webhooks, and ignores other categories', async () => {
    const kept = diditSession('v3-approved');
    const purged = diditSession('v3-approved');
    for (const p of [kept, purged]) expect((await postDidit(gw.url, JSON.stringify(p))).status).toBe(202);
    const due = (category: string, purgeId: string): PurgeDueData => ({
      purgeId,
      category,
      sessionId: purged.session_id as string,
      clockStartedBefore: new Date().toISOString(),
      dueAt: new Date().toISOString(),
    });
    const notOurs = randomUUID();
    const ours = randomUUID();
    // Same key, so the same partition: once ours is confirmed, the other was already handled.
    await command(EventTypes.RetentionPurgeDue, purged.session_id as string, due('verification_data', notOurs));
    await command(EventTypes.RetentionPurgeDue, purged.session_id as string, due('raw_webhooks', ours));

    const [record] = await answer(EventTypes.RetentionPurgeCompleted, 'purgeId', ours);
    expect(record.event?.data).toMatchObject({ service: 'webhook-gateway', category: 'raw_webhooks', sessionId: purged.session_id, counts: { spool: 0, deliveries: 1, replay_guards: 1 } });
    expect(reader.on(Topics.RetentionEvents).some((r) => (r.event?.data as { purgeId?: string }).purgeId === notOurs)).toBe(false);
    expect(await rows('deliveries', 'session_key = $1', [purged.session_id])).toBe(0);
    expect(await rows('deliveries', 'session_key = $1', [kept.session_id])).toBe(1);

    // A replay of a purged webhook (the same signed body, a fresh X-Timestamp, its signed time still within the
    // age bound) is a duplicate: the purge kept its dedupe keys, not its session or payload.
    const inboundBefore = reader.on(Topics.WebhooksInbound).length;
    const replay = await postDidit(gw.url, JSON.stringify(purged));
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ duplicate: true });
    expect(await rows('deliveries', 'session_key = $1', [purged.session_id])).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(reader.on(Topics.WebhooksInbound).length).toBe(inboundBefore);
  });

  it('purges everything received before clockStartedBefore when no subject or session is given', async () => {
    const old = diditSession('v3-approved');
    expect((await postDidit(gw.url, JSON.stringify(old))).status).toBe(202);
    await sql(gw.databaseUrl, `UPDATE webhook_gateway.deliveries SET received_at = now() - interval '400 days' WHERE session_key = $1`, [old.session_id]);
    const fresh = diditSession('v3-approved');
    expect((await postDidit(gw.url, JSON.stringify(fresh))).status).toBe(202);
    const purgeId = randomUUID();
    const cutoff = new Date(Date.now() - 365 * 86_400_000).toISOString();
    await command(EventTypes.RetentionPurgeDue, purgeId, { purgeId, category: 'raw_webhooks', clockStartedBefore: cutoff, dueAt: new Date().toISOString() });

    const [record] = await answer(EventTypes.RetentionPurgeCompleted, 'purgeId', purgeId);
    expect(record.key).toBe(purgeId);
    expect(record.event?.data).toMatchObject({ counts: { spool: 0, deliveries: 1 } });
    expect(await rows('deliveries', 'session_key = ANY($1)', [[old.session_id, fresh.session_id]])).toBe(1);
  });
});
