import { randomUUID } from 'node:crypto';
import { Agent, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventSources, EventTypes, Topics } from '@compliance/contracts';
import { TopicNamespace } from '@compliance/messaging';
import { diditHeaders, diditPayload, diditSession, standardHeaders, waitFor } from '@compliance/testing';
import { DIDIT_SECRET, nonEmpty, postDidit, readGatewayTopics, send, startGateway, STANDARD_SECRET, type Gateway } from '../../test/gateway-harness';
import { sql } from '@compliance/persistence/testing';
import { testKafka, type CollectedRecord, type TopicReader } from '@compliance/messaging/testing';

describe('POST /webhooks/:source accepts verified webhooks (real HTTP, Kafka, Postgres)', () => {
  let gw: Gateway;
  let reader: TopicReader;
  const inbound = (): CollectedRecord[] => reader.on(Topics.WebhooksInbound);
  const recordsOf = (id: unknown) => inbound().filter((r) => r.event?.id === id);

  beforeAll(async () => {
    gw = await startGateway('gw-ingest');
    reader = await readGatewayTopics(gw.namespace);
  });

  afterAll(async () => {
    await reader?.stop();
    await gw?.app.close();
  });

  it('answers 202 {id} only once webhook.received is committed on webhooks.inbound.v1, keyed by the session', async () => {
    const payload = diditSession('v3-approved');
    const res = await postDidit(gw.url, JSON.stringify(payload));
    expect(res.status).toBe(202);
    expect(Object.keys(res.body)).toEqual(['id']);

    // acks=all before the answer: the high watermark already counts the record when the 202 arrives.
    const admin = testKafka('gw-ingest-admin').admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(new TopicNamespace(gw.namespace).physical(Topics.WebhooksInbound));
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(1);

    const [record] = await waitFor(() => nonEmpty(recordsOf(res.body.id)), { what: 'webhook.received' });
    expect(record.key).toBe(payload.session_id);
    expect(record.headers).toMatchObject({
      ce_type: EventTypes.WebhookReceived,
      ce_source: EventSources.WebhookGateway,
      ce_subject: payload.session_id,
      ce_time: new Date((payload.created_at as number) * 1000).toISOString(),
      'content-type': 'application/json',
    });
    expect(record.event?.data).toMatchObject({
      source: 'didit',
      scheme: 'didit',
      deliveryId: payload.event_id,
      sessionId: payload.session_id,
      subjectRef: payload.vendor_data,
      payload,
    });
  });

  it("keeps a provider's idle connection open past 5 s: the next webhook reuses it rather than meeting a reset", async () => {
    // Node's default keep-alive (5 s) is shorter than clients and load balancers keep idle connections:
    // one reused just as the server closes it fails with ECONNRESET.
    const server = gw.app.app.getHttpServer() as Server;
    let connections = 0;
    const count = () => connections++;
    server.on('connection', count);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const post = (body: string) => send(gw.url, { path: '/webhooks/didit', headers: diditHeaders(body, DIDIT_SECRET), body, agent });
      expect((await post(JSON.stringify(diditSession('v3-approved')))).status).toBe(202);
      await sleep(6000);
      expect((await post(JSON.stringify(diditSession('v3-approved')))).status).toBe(202);
      expect(connections).toBe(1);
    } finally {
      server.off('connection', count);
      agent.destroy();
    }
  }, 20_000);

  it('accepts a Standard Webhooks delivery and records its webhook-id as the delivery id', async () => {
    const payload = { type: 'verification.updated', timestamp: new Date().toISOString(), data: { session_id: randomUUID(), vendor_data: 'customer-77' } };
    const body = JSON.stringify(payload);
    const headers = standardHeaders(body, STANDARD_SECRET);
    const res = await send(gw.url, { path: '/webhooks/standard', headers, body });
    expect(res.status).toBe(202);
    const [record] = await waitFor(() => nonEmpty(recordsOf(res.body.id)), { what: 'the standard webhook' });
    expect(record.key).toBe(payload.data.session_id);
    expect(record.event?.data).toMatchObject({ source: 'standard', scheme: 'standard', deliveryId: headers['webhook-id'], sessionId: payload.data.session_id });
  });

  it('keys a person-level Didit event without a session by its vendor_data', async () => {
    const payload = diditPayload('user-status-updated', { event_id: randomUUID(), vendor_data: `customer-${randomUUID()}`, timestamp: Math.floor(Date.now() / 1000) });
    const res = await postDidit(gw.url, JSON.stringify(payload));
    expect(res.status).toBe(202);
    const [record] = await waitFor(() => nonEmpty(recordsOf(res.body.id)), { what: 'the user event' });
    expect(record.key).toBe(payload.vendor_data);
    expect(record.headers.ce_subject).toBe(payload.vendor_data);
  });

  it('answers the same delivery again with 200 and the first id, and publishes nothing new', async () => {
    const body = JSON.stringify(diditSession('v3-in-progress'));
    const first = await postDidit(gw.url, body);
    const again = await postDidit(gw.url, body);
    expect(first.status).toBe(202);
    expect(again).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
    await waitFor(() => recordsOf(first.body.id).length === 1, { what: 'the first delivery' });
    const sameEventId = await postDidit(gw.url, JSON.stringify({ ...JSON.parse(body), status: 'Approved' }));
    expect(sameEventId).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
    expect(recordsOf(first.body.id)).toHaveLength(1);
  });

  it('answers the same content under a new event_id and timestamp with 200 and the first id', async () => {
    const payload = diditSession('v3-in-review-aml-hit');
    const first = await postDidit(gw.url, JSON.stringify(payload));
    const resent = await postDidit(gw.url, JSON.stringify({ ...payload, event_id: randomUUID(), timestamp: (payload.timestamp as number) + 60 }));
    expect(first.status).toBe(202);
    expect(resent).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
    await waitFor(() => recordsOf(first.body.id).length === 1, { what: 'the first delivery' });
    expect(inbound().filter((r) => r.key === payload.session_id)).toHaveLength(1);
  });

  it('resolves concurrent duplicates (by event id and by content) to one event and one 202', async () => {
    const payload = diditSession('v3-resubmitted');
    const sameDelivery = Array.from({ length: 15 }, () => JSON.stringify(payload));
    const sameContent = Array.from({ length: 15 }, () => JSON.stringify({ ...payload, event_id: randomUUID() }));
    const answers = await Promise.all([...sameDelivery, ...sameContent].map((body) => postDidit(gw.url, body)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(29);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    await waitFor(() => recordsOf([...ids][0]).length === 1, { what: 'one event' });
    expect(inbound().filter((r) => r.key === payload.session_id)).toHaveLength(1);
  });

  it('takes 1,000 concurrent webhooks: all 202, all on the topic once, each session in the order it was sent', async () => {
    const statuses = ['Not Started', 'In Progress', 'In Review', 'Approved'];
    const sessions = Array.from({ length: 250 }, () => diditSession('v3-in-progress'));
    const answers = await Promise.all(
      sessions.map(async (base) => {
        const ids: unknown[] = [];
        for (const [i, status] of statuses.entries()) {
          const body = JSON.stringify({ ...base, event_id: randomUUID(), status, created_at: (base.created_at as number) + i });
          const res = await postDidit(gw.url, body);
          expect(res.status).toBe(202);
          ids.push(res.body.id);
        }
        return { sessionId: base.session_id, ids };
      }),
    );
    const wanted = new Set(answers.flatMap((a) => a.ids));
    expect(wanted.size).toBe(1000);
    await waitFor(() => inbound().filter((r) => wanted.has(r.event?.id)).length >= 1000, { what: '1,000 events', timeoutMs: 30_000 });
    const got = inbound().filter((r) => wanted.has(r.event?.id));
    expect(got).toHaveLength(1000);
    for (const { sessionId, ids } of answers) {
      const mine = got.filter((r) => r.key === sessionId);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => r.event?.id)).toEqual(ids);
      expect(mine.map((r) => (r.event?.data as { payload: { status: string } }).payload.status)).toEqual(statuses);
    }
  });

  it('answers a spelling of the path left to the router (a trailing slash) exactly as the usual one', async () => {
    const body = JSON.stringify(diditSession('v3-approved'));
    const viaRouter = await send(gw.url, { path: '/webhooks/didit/', headers: diditHeaders(body, DIDIT_SECRET), body });
    expect(viaRouter.status).toBe(202);
    const again = await postDidit(gw.url, body);
    expect(again).toMatchObject({ status: 200, body: { id: viaRouter.body.id, duplicate: true } });
    expect(again.headers['content-type']).toBe(viaRouter.headers['content-type']);
    const dupViaRouter = await send(gw.url, { path: '/webhooks/didit/', headers: diditHeaders(body, DIDIT_SECRET), body });
    expect(dupViaRouter).toMatchObject({ status: 200, body: { id: viaRouter.body.id, duplicate: true } });
    const unknown = await send(gw.url, { path: '/webhooks/Didit', headers: diditHeaders(body, DIDIT_SECRET), body });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'UNKNOWN_SOURCE' } });
    // Refusals on this route go through the exception filter: the same error body as the fast path.
    const forged = await send(gw.url, { path: '/webhooks/didit/', headers: diditHeaders(body, 'not-the-secret-at-all'), body });
    const forgedFast = await send(gw.url, { path: '/webhooks/didit', headers: diditHeaders(body, 'not-the-secret-at-all'), body });
    expect(forged).toMatchObject({ status: 401, body: { code: 'INVALID_SIGNATURE' } });
    expect(Object.keys(forged.body).sort()).toEqual(Object.keys(forgedFast.body).sort());
    expect(forged.headers['content-type']).toBe(forgedFast.headers['content-type']);
  });

  it('reports the spool in /health/ready and the ingest metrics in /metrics', async () => {
    const ready = await fetch(`${gw.url}/health/ready`);
    expect(ready.status).toBe(200);
    const details = ((await ready.json()) as { details: Record<string, unknown> }).details;
    expect(details.spool).toEqual({ status: 'up', depth: 0, oldestSpooledAt: null, kafkaFailingSince: null });
    expect(details.kafka).toMatchObject({ status: 'up', reachable: true });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/webhook_accepted_total\{source="didit",via="kafka"\} \d+/);
    expect(metrics).toMatch(/webhook_duplicates_total\{source="didit",match="content"\} \d+/);
    expect(metrics).toMatch(/webhook_produce_duration_seconds_count\{outcome="sent"\} \d+/);
    expect(metrics).toContain('webhook_spool_depth 0');
  });

  it('keeps no payload in the dedupe table, only ids to find duplicates and to erase by', async () => {
    const payload = diditSession('v3-approved');
    const res = await postDidit(gw.url, JSON.stringify(payload));
    const [row] = await sql(gw.databaseUrl, 'SELECT * FROM webhook_gateway.deliveries WHERE event_id = $1', [res.body.id]);
    expect(Object.keys(row).sort()).toEqual(['claimed_at', 'delivery_id', 'event_id', 'fingerprint', 'received_at', 'session_key', 'source', 'state', 'subject_ref']);
    expect(row).toMatchObject({ delivery_id: payload.event_id, session_key: payload.session_id, subject_ref: payload.vendor_data });
    expect(JSON.stringify(row)).not.toContain('Núñez');
  });
});
