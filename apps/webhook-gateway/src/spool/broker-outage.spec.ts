import { randomUUID } from 'node:crypto';
import { allTopics, Topics } from '@compliance/contracts';
import { createKafka, ensureTopics, TopicNamespace } from '@compliance/messaging';
import { diditSession, waitFor } from '@compliance/testing';
// The broker launcher is a dev tool, not a lib; this file needs a broker it may stop.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ensureBroker, stopBroker } from '../../../../tools/kafka/broker';
import { postDidit, readTopicsOn, startGateway, type Gateway } from '../../test/gateway-harness';
import { toInboundWebhook } from '../ingest/inbound-webhook';
import { sql, testDatabaseUrl } from '@compliance/persistence/testing';
import { testNamespace, type CollectedRecord } from '@compliance/messaging/testing';

// A broker of this file's own: the shared one on 9092 serves everybody else's tests.
const PORT = 19192;

/** The launcher reuses KAFKA_BROKERS when set (jest sets it to the shared broker); this broker is ours. */
async function ownBroker(): Promise<string> {
  const shared = process.env.KAFKA_BROKERS;
  delete process.env.KAFKA_BROKERS;
  try {
    return (await ensureBroker({ port: PORT, keepRunning: false })).brokers;
  } finally {
    process.env.KAFKA_BROKERS = shared;
  }
}

const statusesOf = (records: CollectedRecord[]) => records.map((r) => (r.event?.data as { payload: { status: string } }).payload.status);

describe('Kafka slow or down: webhooks are spooled to Postgres and relayed in order (own broker)', () => {
  const namespace = testNamespace('gw-outage');
  let brokers: string;
  let gw: Gateway;
  let reader: { records: CollectedRecord[]; stop(): Promise<void> } | undefined;
  const inbound = () => reader?.records.filter((r) => r.topic === Topics.WebhooksInbound) ?? [];
  const spoolDepth = async () => (await sql<{ n: number }>(gw.databaseUrl, 'SELECT count(*)::int AS n FROM webhook_gateway.spool'))[0].n;

  beforeAll(async () => {
    brokers = await ownBroker();
    await ensureTopics(createKafka({ brokers: [brokers], clientId: 'gw-outage-admin' }), new TopicNamespace(namespace), allTopics(), { partitions: 3 });
    gw = await startGateway('gw-outage', { KAFKA_BROKERS: brokers }, { namespace, databaseUrl: await testDatabaseUrl('gw-outage') });
    reader = await readTopicsOn(brokers, namespace, [Topics.WebhooksInbound]);
  }, 120_000);

  afterAll(async () => {
    await reader?.stop();
    await gw?.app.close();
    await stopBroker({ port: PORT });
  }, 60_000);

  it('queues a webhook behind an earlier one of its session still held in the spool, and keeps their order', async () => {
    const earlier = diditSession('v3-in-progress');
    const held = toInboundWebhook({ source: 'didit', scheme: 'didit', facts: { deliveryId: earlier.event_id as string, sessionId: earlier.session_id as string }, payload: earlier, receivedAt: new Date() });
    // As left by a produce that missed the budget and may still land: held, so nothing may overtake it.
    await sql(
      gw.databaseUrl,
      `INSERT INTO webhook_gateway.spool (event_id, session_key, value, headers, received_at, hold_until) VALUES ($1, $2, $3, $4, now(), now() + interval '1 hour')`,
      [held.eventId, held.key, held.record.value, JSON.stringify(held.record.headers)],
    );
    const later = await postDidit(gw.url, JSON.stringify({ ...earlier, event_id: randomUUID(), status: 'Approved' }));
    expect(later.status).toBe(202);
    expect(await spoolDepth()).toBe(2);
    expect(inbound().filter((r) => r.key === earlier.session_id)).toHaveLength(0);

    await sql(gw.databaseUrl, 'UPDATE webhook_gateway.spool SET hold_until = NULL');
    await waitFor(() => inbound().filter((r) => r.key === earlier.session_id).length === 2, { what: 'both webhooks relayed' });
    expect(inbound().filter((r) => r.key === earlier.session_id).map((r) => r.event?.id)).toEqual([held.eventId, later.body.id]);
    expect(statusesOf(inbound().filter((r) => r.key === earlier.session_id))).toEqual(['In Progress', 'Approved']);
  });

  it('answers 202 to 500 webhooks posted while the broker is stopped, and publishes each exactly once, in order per session, once it is back', async () => {
    // The reader's consumer would crash-loop with backoff while the broker is away; a new one reads from the start.
    await reader?.stop();
    reader = undefined;
    await stopBroker({ port: PORT });
    const statuses = ['Not Started', 'In Progress', 'In Review', 'Approved'];
    const sessions = Array.from({ length: 125 }, () => diditSession('v3-in-progress'));
    const posted = await Promise.all(
      sessions.map(async (base) => {
        const ids: unknown[] = [];
        for (const [i, status] of statuses.entries()) {
          const res = await postDidit(gw.url, JSON.stringify({ ...base, event_id: randomUUID(), status, created_at: (base.created_at as number) + i }));
          expect(res.status).toBe(202);
          ids.push(res.body.id);
        }
        return { sessionId: base.session_id, ids };
      }),
    );
    const wanted = new Set(posted.flatMap((p) => p.ids));
    expect(wanted.size).toBe(500);
    expect(await spoolDepth()).toBe(500);

    const ready = await fetch(`${gw.url}/health/ready`);
    expect(ready.status).toBe(200);
    const details = ((await ready.json()) as { details: Record<string, Record<string, unknown>> }).details;
    expect(details.spool).toMatchObject({ status: 'up', depth: 500 });
    expect(details.kafka).toMatchObject({ status: 'up', reachable: false, fallback: 'webhooks are spooled to Postgres' });
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toContain('webhook_spool_depth 500');

    await ownBroker();
    reader = await readTopicsOn(brokers, namespace, [Topics.WebhooksInbound]);
    await waitFor(() => inbound().filter((r) => wanted.has(r.event?.id)).length >= 500, { what: 'the 500 spooled webhooks on the topic', timeoutMs: 90_000, intervalMs: 250 });
    await waitFor(async () => (await spoolDepth()) === 0, { what: 'an empty spool' });
    const got = inbound().filter((r) => wanted.has(r.event?.id));
    expect(got).toHaveLength(500);
    for (const { sessionId, ids } of posted) {
      const mine = got.filter((r) => r.key === sessionId);
      expect(mine.map((r) => r.event?.id)).toEqual(ids);
      expect(statusesOf(mine)).toEqual(statuses);
    }

    const after = await postDidit(gw.url, JSON.stringify(diditSession('v3-approved')));
    expect(after.status).toBe(202);
    await waitFor(() => inbound().some((r) => r.event?.id === after.body.id), { what: 'a webhook after recovery' });
  }, 180_000);
});
