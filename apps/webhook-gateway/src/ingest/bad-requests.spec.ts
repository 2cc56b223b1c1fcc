import { randomUUID } from 'node:crypto';
import { canonicalJson, Topics } from '@compliance/contracts';
import { diditHeaders, diditSession, nowSeconds, standardHeaders, waitFor } from '@compliance/testing';
import { badRequests, hmacHex, LIMIT, MARKER, nested } from '../../test/bad-request-corpus';
import {
  DIDIT_OLD_SECRET,
  DIDIT_SECRET,
  freshLoopbackAddress,
  nonEmpty,
  postDidit,
  readGatewayTopics,
  refusalsIn,
  send,
  sendRaw,
  sendUnfinished,
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

describe('POST /webhooks/:source refuses bad requests, each with its status and a webhook.rejected report', () => {
  let gw: Gateway;
  let reader: TopicReader;
  const rejectionFrom = (address: string) => reader.on(Topics.WebhooksRejected).filter((r) => r.key === address);

  beforeAll(async () => {
    gw = await startGateway('gw-bad', { WEBHOOK_AUTH_FAILURE_LIMIT: '5', WEBHOOK_AUTH_FAILURE_WINDOW_SEC: '60', WEBHOOK_REJECTION_REPORT_INTERVAL_MS: '500' });
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
    if (bad.message) expect(answer.body.message).toContain(bad.message);

    // The first refusal of its kind in a window is reported at once, on its own.
    const [record] = await waitFor(() => nonEmpty(rejectionFrom(address)), { what: `the rejection of "${bad.name}"` });
    expect(record.event?.data).toMatchObject({
      source: bad.source ?? 'didit',
      reason: bad.reason,
      code: answer.body.code,
      status: bad.status,
      remoteAddress: address,
      count: 1,
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
    const refuseMediaType = (localAddress: string) => send(gw.url, { path: '/webhooks/didit', headers: { 'content-type': 'text/plain' }, body: 'x', localAddress });

    it('answers 429 with Retry-After once an address had 5 failures, without affecting other addresses; every refusal is in a report', async () => {
      const flooder = freshLoopbackAddress();
      const forged = (localAddress: string) => send(gw.url, { path: '/webhooks/didit', headers: diditHeaders('{"a":1}', 'forged-secret-0000000'), body: '{"a":1}', localAddress });
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await forged(flooder));
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
      expect(answers[5].body.code).toBe('TOO_MANY_FAILURES');
      expect(Number(answers[5].headers['retry-after'])).toBeGreaterThan(0);
      expect((await forged(freshLoopbackAddress())).status).toBe(401);
      // A first report per reason at once, the rest summed up when the window (500 ms here) ends.
      await waitFor(() => refusalsIn(rejectionFrom(flooder)) === 7, { what: 'seven refusals reported' });
      expect(refusalsIn(rejectionFrom(flooder), 'SIGNATURE_MISMATCH')).toBe(5);
      expect(refusalsIn(rejectionFrom(flooder), 'TOO_MANY_FAILURES')).toBe(2);
      // Each answer quotes the event that reports it.
      for (const [i, answer] of answers.entries()) {
        const record = rejectionFrom(flooder).find((r) => r.event?.id === answer.body.requestId);
        expect((record?.event?.data as { reason: string }).reason).toBe(i < 5 ? 'SIGNATURE_MISMATCH' : 'TOO_MANY_FAILURES');
      }
      for (const summary of rejectionFrom(flooder).filter((r) => (r.event?.data as { count: number }).count > 1)) {
        const data = summary.event?.data as { windowStart: string; windowEnd: string; receivedAt: string };
        expect(Date.parse(data.windowStart)).toBeLessThanOrEqual(Date.parse(data.receivedAt));
        expect(Date.parse(data.receivedAt)).toBeLessThanOrEqual(Date.parse(data.windowEnd));
      }
    });

    it('answers a throttled address 429 before reading its body, and closes the connection instead of draining it', async () => {
      const address = freshLoopbackAddress();
      for (let i = 0; i < 5; i++) expect((await refuseMediaType(address)).status).toBe(415);
      const head = (framing: string) => `POST /webhooks/didit HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;
      // 200,000 bytes announced, 16 sent: a gateway that waited for the body would never answer.
      const announced = await sendUnfinished(gw.url, head('Content-Length: 200000'), Buffer.from('{"vendor_data":"'), address);
      const chunked = await sendUnfinished(gw.url, head('Transfer-Encoding: chunked'), Buffer.from('10\r\n{"vendor_data":"\r\n'), address);
      for (const answer of [announced, chunked]) {
        expect(answer).toMatchObject({ status: 429, body: { code: 'TOO_MANY_FAILURES' }, headers: { connection: 'close' } });
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
        expect(answer.answeredAfterMs).toBeLessThan(1000);
        expect(answer.closedAfterMs).toBeLessThan(2500);
      }
      // The report carries the announced length: nothing of the body was read.
      await waitFor(() => refusalsIn(rejectionFrom(address), 'TOO_MANY_FAILURES') === 2, { what: 'both 429s reported' });
      const first = rejectionFrom(address).find((r) => r.event?.id === announced.body.requestId);
      expect(first?.event?.data).toMatchObject({ reason: 'TOO_MANY_FAILURES', status: 429, size: 200000, count: 1 });
    });

    it('refuses even a validly signed webhook from a throttled address (its body is not read), and serves other addresses', async () => {
      const address = freshLoopbackAddress();
      for (let i = 0; i < 5; i++) await refuseMediaType(address);
      expect((await send(gw.url, { path: '/webhooks/nope', headers: {}, localAddress: address })).status).toBe(429);
      const body = JSON.stringify(diditSession('v3-approved'));
      expect(await postDidit(gw.url, body, { localAddress: address })).toMatchObject({ status: 429, body: { code: 'TOO_MANY_FAILURES' } });
      const elsewhere = await postDidit(gw.url, body, { localAddress: freshLoopbackAddress() });
      expect(elsewhere.status).toBe(202);
      await waitFor(() => reader.on(Topics.WebhooksInbound).some((r) => r.event?.id === elsewhere.body.id), { what: 'the verified webhook' });
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

    it('a body nested 64 levels deep (the limit)', async () => {
      const body = diditBody({ deep: nested(63) });
      await accepted({ path: '/webhooks/didit', body, headers: diditHeaders(body, DIDIT_SECRET) });
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
