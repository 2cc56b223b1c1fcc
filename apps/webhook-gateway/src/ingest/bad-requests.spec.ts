import { randomUUID } from 'node:crypto';
import { canonicalJson, Topics } from '@compliance/contracts';
import { diditHeaders, diditSession, nowSeconds, standardHeaders, waitFor } from '@compliance/testing';
import { badRequests, hmacHex, LIMIT, MARKER } from '../../test/bad-request-corpus';
import {
  DIDIT_OLD_SECRET,
  DIDIT_SECRET,
  freshLoopbackAddress,
  nonEmpty,
  postDidit,
  readGatewayTopics,
  send,
  sendRaw,
  startGateway,
  STANDARD_SECRET,
  type Gateway,
  type RawRequest,
} from '../../test/gateway-harness';
import { type TopicReader } from '@compliance/messaging/testing';

const CODES: Record<number, string[]> = {
  400: ['INVALID_JSON', 'NOT_A_JSON_OBJECT', 'INVALID_PAYLOAD'],
  401: ['INVALID_SIGNATURE'],
  404: ['UNKNOWN_SOURCE'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
};

const UNAUTHENTICATED = { statusCode: 401, code: 'INVALID_SIGNATURE', message: 'the webhook could not be authenticated', requestId: 'any' };

describe('POST /webhooks/:source refuses bad requests, each with its status and a webhook.rejected event', () => {
  let gw: Gateway;
  let reader: TopicReader;
  const rejectionFrom = (address: string) => reader.on(Topics.WebhooksRejected).filter((r) => r.key === address);

  beforeAll(async () => {
    gw = await startGateway('gw-bad', { WEBHOOK_AUTH_FAILURE_LIMIT: '5', WEBHOOK_AUTH_FAILURE_WINDOW_SEC: '60' });
    reader = await readGatewayTopics(gw.namespace);
  });

  afterAll(async () => {
    await reader?.stop();
    await gw?.app.close();
  });

  const corpus = badRequests();

  it('has at least 40 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it.each(corpus)('$name → $status $reason', async (bad) => {
    const address = freshLoopbackAddress();
    const request = bad.build?.();
    const answer = bad.raw ? await sendRaw(gw.url, bad.raw.head, bad.raw.body, address, bad.raw.pauseMs) : await send(gw.url, { ...(request as RawRequest), localAddress: address });

    expect(answer.status).toBe(bad.status);
    expect(CODES[bad.status]).toContain(answer.body.code);
    // Which header, timestamp or signature failed is never told: every 401 reads the same.
    if (bad.status === 401) expect({ ...answer.body, requestId: 'any' }).toEqual(UNAUTHENTICATED);

    const [record] = await waitFor(() => nonEmpty(rejectionFrom(address)), { what: `the rejection of "${bad.name}"` });
    expect(record.event?.data).toMatchObject({
      source: bad.source ?? 'didit',
      reason: bad.reason,
      code: answer.body.code,
      status: bad.status,
      remoteAddress: address,
    });
    expect(answer.body.requestId).toBe(record.event?.id);
    const size = (record.event?.data as { size: number }).size;
    if (bad.size) expect(bad.size(size)).toBe(true);
    else expect(size).toBe(Buffer.byteLength((request as RawRequest).body ?? ''));
    expect(record.value).not.toContain(MARKER);
    expect(reader.on(Topics.WebhooksInbound).filter((r) => r.value?.includes(MARKER))).toHaveLength(0);
  });

  it('refuses a captured valid request replayed after the 300 s window (a duplicate within it)', async () => {
    const address = freshLoopbackAddress();
    const body = JSON.stringify(diditSession('v3-in-progress'));
    const captured = { path: '/webhooks/didit', headers: diditHeaders(body, DIDIT_SECRET, nowSeconds() - 299), body, localAddress: address };
    const first = await send(gw.url, captured);
    expect(first.status).toBe(202);
    expect(await send(gw.url, captured)).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
    await waitFor(() => nowSeconds() - Number(captured.headers['x-timestamp']) >= 302, { what: 'the window to pass', timeoutMs: 5000 });
    const replay = await send(gw.url, captured);
    expect(replay).toMatchObject({ status: 401, body: { code: 'INVALID_SIGNATURE' } });
    const [record] = await waitFor(() => nonEmpty(rejectionFrom(address)), { what: 'the replay rejection' });
    expect(record.event?.data).toMatchObject({ reason: 'TIMESTAMP_OUT_OF_WINDOW', status: 401 });
  });

  describe('throttling unauthenticated failures per address', () => {
    it('answers 429 with Retry-After once an address passes 5 failures, without affecting other addresses', async () => {
      const flooder = freshLoopbackAddress();
      const forged = (localAddress: string) => send(gw.url, { path: '/webhooks/didit', headers: diditHeaders('{"a":1}', 'forged-secret-0000000'), body: '{"a":1}', localAddress });
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await forged(flooder));
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
      expect(answers[5].body.code).toBe('TOO_MANY_FAILURES');
      expect(Number(answers[5].headers['retry-after'])).toBeGreaterThan(0);
      expect((await forged(freshLoopbackAddress())).status).toBe(401);
      await waitFor(() => rejectionFrom(flooder).length === 7, { what: 'seven rejection events' });
      expect(rejectionFrom(flooder).filter((r) => (r.event?.data as { reason: string }).reason === 'TOO_MANY_FAILURES')).toHaveLength(2);
    });

    it('never throttles a verified webhook, even from a throttled address', async () => {
      const address = freshLoopbackAddress();
      for (let i = 0; i < 6; i++) await send(gw.url, { path: '/webhooks/didit', headers: { 'content-type': 'text/plain' }, body: 'x', localAddress: address });
      expect((await send(gw.url, { path: '/webhooks/nope', headers: {}, localAddress: address })).status).toBe(429);
      const payload = diditSession('v3-approved');
      const accepted = await postDidit(gw.url, JSON.stringify(payload), { localAddress: address });
      expect(accepted.status).toBe(202);
      await waitFor(() => reader.on(Topics.WebhooksInbound).some((r) => r.event?.id === accepted.body.id), { what: 'the verified webhook' });
    });

    it('does not count refusals after verification (missing fields) as unauthenticated failures', async () => {
      const address = freshLoopbackAddress();
      const statuses = [];
      for (let i = 0; i < 8; i++) {
        statuses.push((await postDidit(gw.url, JSON.stringify({ ...diditSession('v3-approved'), status: undefined }), { localAddress: address })).status);
      }
      expect(statuses).toEqual(Array(8).fill(400));
    });
  });

  describe('accepts what only looks unusual', () => {
    const accepted = async (request: RawRequest) => {
      const answer = await send(gw.url, { ...request, localAddress: freshLoopbackAddress() });
      expect(answer.status).toBe(202);
      await waitFor(() => reader.on(Topics.WebhooksInbound).some((r) => r.event?.id === answer.body.id), { what: 'the event' });
    };
    const diditBody = (fields: Record<string, unknown> = {}) => JSON.stringify(diditSession('v3-approved', fields));

    it('header names in any letter case', async () => {
      const body = diditBody();
      const h = diditHeaders(body, DIDIT_SECRET);
      await accepted({ path: '/webhooks/didit', body, headers: ['CONTENT-TYPE', h['content-type'], 'x-TIMESTAMP', h['x-timestamp'], 'X-SIGNATURE', h['x-signature'], 'x-Signature-V2', h['x-signature-v2']] });
    });

    it('X-Signature-V2 alone over a body with raw non-ASCII names (José Núñez)', async () => {
      const body = `{"webhook_type":"status.updated","status":"Approved","session_id":"${randomUUID()}","name":"José Núñez","created_at":${nowSeconds() - 30}}`;
      await accepted({ path: '/webhooks/didit', body, headers: { 'content-type': 'application/json', 'x-timestamp': String(nowSeconds()), 'x-signature-v2': hmacHex(DIDIT_SECRET, canonicalJson(JSON.parse(body))) } });
    });

    it('X-Signature-V2 alone over a body with whole-valued floats (92.0)', async () => {
      const body = `{"webhook_type":"status.updated","status":"Approved","session_id":"${randomUUID()}","score":92.0,"timestamp":${nowSeconds()},"nested":{"b":1.0,"a":[3.0,2.5]}}`;
      const canonical = canonicalJson(JSON.parse(body));
      expect(canonical).toContain('"score":92');
      await accepted({ path: '/webhooks/didit', body, headers: { 'content-type': 'application/json', 'x-timestamp': String(nowSeconds()), 'x-signature-v2': hmacHex(DIDIT_SECRET, canonical) } });
    });

    it('a pretty-printed body whose X-Signature-V2 still matches (re-encoded in transit)', async () => {
      const payload = diditSession('v3-approved');
      const h = diditHeaders(JSON.stringify(payload), DIDIT_SECRET);
      await accepted({ path: '/webhooks/didit', body: JSON.stringify(payload, null, 2), headers: h });
    });

    it('a valid X-Signature next to a garbage X-Signature-V2', async () => {
      const body = diditBody();
      await accepted({ path: '/webhooks/didit', body, headers: { ...diditHeaders(body, DIDIT_SECRET), 'x-signature-v2': 'f'.repeat(64) } });
    });

    it('a delivery signed with the secret being rotated out', async () => {
      const body = diditBody();
      await accepted({ path: '/webhooks/didit', body, headers: diditHeaders(body, DIDIT_OLD_SECRET) });
    });

    it('a body of exactly the size limit', async () => {
      const base = diditBody({ padding: '' });
      const body = base.replace('"padding":""', `"padding":"${'p'.repeat(LIMIT - Buffer.byteLength(base))}"`);
      expect(Buffer.byteLength(body)).toBe(LIMIT);
      await accepted({ path: '/webhooks/didit', body, headers: diditHeaders(body, DIDIT_SECRET) });
    });

    it('Didit entity webhooks without session or status, and data.updated without status', async () => {
      const entity = JSON.stringify({ event: 'business.status.updated', event_id: randomUUID(), vendor_data: `company-${randomUUID()}`, created_at: nowSeconds() });
      await accepted({ path: '/webhooks/didit', body: entity, headers: diditHeaders(entity, DIDIT_SECRET) });
      const dataUpdated = diditBody({ webhook_type: 'data.updated', status: undefined });
      await accepted({ path: '/webhooks/didit', body: dataUpdated, headers: diditHeaders(dataUpdated, DIDIT_SECRET) });
    });

    it('a Standard Webhooks request with several signatures of which one is valid', async () => {
      const body = JSON.stringify({ type: 'verification.updated', data: { session_id: randomUUID() } });
      const h = standardHeaders(body, STANDARD_SECRET);
      const list = `v1,${Buffer.alloc(32, 3).toString('base64')} v1a,${h['webhook-signature'].slice(3)} ${h['webhook-signature']} v2,abc`;
      await accepted({ path: '/webhooks/standard', body, headers: { ...h, 'webhook-signature': list, 'content-type': 'application/json; charset=utf-8' } });
    });
  });
});
