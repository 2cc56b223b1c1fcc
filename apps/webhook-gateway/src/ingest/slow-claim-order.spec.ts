import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Topics } from '@compliance/contracts';
import { diditSession } from '@compliance/testing';
import { sql } from '@compliance/persistence/testing';
import type { TopicReader } from '@compliance/messaging/testing';
import { postDidit, readGatewayTopics, startGateway, type Gateway } from '../../test/gateway-harness';

/**
 * A webhook whose dedupe claim Postgres answers late must not be sent to Kafka ahead of its session's
 * webhooks that wait in the spool (seen on a three-broker cluster under load: a later status reached
 * kyc-results before the earlier ones, and their transitions were lost to ordering).
 */
describe('a slow dedupe claim keeps a session in order (real HTTP, Kafka, Postgres)', () => {
  let gw: Gateway;
  let reader: TopicReader;

  beforeAll(async () => {
    gw = await startGateway('gw-slow-claim');
    reader = await readGatewayTopics(gw.namespace);
  });

  afterAll(async () => {
    await reader?.stop();
    await gw?.app.close();
  });

  it('waits for the claim and spools the webhook behind the session’s held one, instead of producing it first', async () => {
    const later = diditSession('v3-approved');
    const sessionId = later.session_id as string;
    // An earlier webhook of the session in the spool, its produce still in flight (held for a minute).
    const earlier = randomUUID();
    await sql(gw.databaseUrl, `INSERT INTO webhook_gateway.spool (event_id, session_key, value, headers, received_at, hold_until) VALUES ($1, $2, '{}', '{}', now(), now() + interval '60 seconds')`, [earlier, sessionId]);

    // Postgres slow: the claim's INSERT waits behind a lock for 2.5 s (the gateway's claim budget is 1 s).
    const blocker = new Client({ connectionString: gw.databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE webhook_gateway.deliveries IN SHARE MODE');
    const release = setTimeout(() => void blocker.query('COMMIT'), 2500);
    try {
      const answer = await postDidit(gw.url, JSON.stringify(later));
      expect(answer.status).toBe(202);
      const spooled = await sql<{ event_id: string }>(gw.databaseUrl, 'SELECT event_id FROM webhook_gateway.spool WHERE session_key = $1 ORDER BY id', [sessionId]);
      expect(spooled.map((r) => r.event_id)).toEqual([earlier, answer.body.id]);
      await new Promise((r) => setTimeout(r, 1000));
      expect(reader.on(Topics.WebhooksInbound).filter((r) => r.key === sessionId)).toEqual([]);
    } finally {
      clearTimeout(release);
      await blocker.end();
    }
  });
});
