import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson, Topics } from '@compliance/contracts';
import { diditHeaders, nowSeconds, standardHeaders, waitFor } from '@compliance/testing';
import { hmacHex } from '../../test/bad-request-corpus';
import { DIDIT_OLD_SECRET, DIDIT_SECRET, readGatewayTopics, send, startGateway, STANDARD_SECRET, type Gateway, type RawRequest } from '../../test/gateway-harness';
import { type TopicReader } from '@compliance/messaging/testing';

const value = fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' });
/** A Didit-shaped payload with arbitrary extra content, unicode and floats included. */
const payloadArb = fc
  .record({
    extra: fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), value, { maxKeys: 6 }),
    status: fc.constantFrom('Approved', 'Declined', 'In Review', 'Resubmitted'),
    name: fc.string({ unit: 'grapheme', maxLength: 30 }),
    score: fc.double({ noNaN: true, noDefaultInfinity: true }),
  })
  .map(({ extra, status, name, score }) => ({
    ...extra,
    webhook_type: 'status.updated',
    status,
    session_id: randomUUID(),
    event_id: randomUUID(),
    vendor_data: `customer-${randomUUID()}`,
    // A current event time: an older signed body is refused as a replay (its own property below).
    timestamp: Math.floor(Date.now() / 1000),
    name,
    score,
  }));

type Signing = 'didit-v1' | 'didit-v2' | 'didit-both' | 'didit-rotated' | 'standard' | 'standard-among-others';
const signingArb = fc.constantFrom<Signing>('didit-v1', 'didit-v2', 'didit-both', 'didit-rotated', 'standard', 'standard-among-others');

function signed(payload: object, signing: Signing, pretty: boolean): RawRequest {
  const body = JSON.stringify(payload, null, pretty ? 2 : undefined);
  if (signing.startsWith('standard')) {
    const h = standardHeaders(body, STANDARD_SECRET);
    const others = `v1,${Buffer.alloc(32, 5).toString('base64')} v1a,xyz`;
    return { path: '/webhooks/standard', body, headers: signing === 'standard' ? h : { ...h, 'webhook-signature': `${others} ${h['webhook-signature']}` } };
  }
  const h = diditHeaders(body, signing === 'didit-rotated' ? DIDIT_OLD_SECRET : DIDIT_SECRET);
  if (signing === 'didit-v1') delete h['x-signature-v2'];
  if (signing === 'didit-v2') delete h['x-signature'];
  return { path: '/webhooks/didit', body, headers: h };
}

/** Didit signed over the raw bytes only, so that any byte of the body matters. */
function diditRawOnly(payload: object): RawRequest {
  const body = JSON.stringify(payload);
  return { path: '/webhooks/didit', body, headers: { 'content-type': 'application/json', 'x-timestamp': String(nowSeconds()), 'x-signature': hmacHex(DIDIT_SECRET, body) } };
}

function replaceChar(text: string, index: number, alphabet: string, pick: number): string {
  const i = index % text.length;
  const choices = alphabet.replace(text[i], '');
  return text.slice(0, i) + choices[pick % choices.length] + text.slice(i + 1);
}

describe('signature schemes, by property (fast-check over real HTTP)', () => {
  let gw: Gateway;
  let reader: TopicReader;
  const acceptedIds = new Set<unknown>();

  beforeAll(async () => {
    gw = await startGateway('gw-props', { WEBHOOK_AUTH_FAILURE_LIMIT: '100000' });
    reader = await readGatewayTopics(gw.namespace);
  });

  afterAll(async () => {
    await reader?.stop();
    await gw?.app.close();
  });

  it('accepts any valid signing of any payload', async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, signingArb, fc.boolean(), async (payload, signing, pretty) => {
        const answer = await send(gw.url, signed(payload, signing, pretty));
        expect(answer.status).toBe(202);
        acceptedIds.add(answer.body.id);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects any single-byte change to a signed body', async () => {
    const raw = fc.record({ payload: payloadArb, scheme: fc.constantFrom('didit', 'standard'), at: fc.nat(), delta: fc.integer({ min: 1, max: 255 }) });
    await fc.assert(
      fc.asyncProperty(raw, async ({ payload, scheme, at, delta }) => {
        const request = scheme === 'didit' ? diditRawOnly(payload) : signed(payload, 'standard', false);
        const bytes = Buffer.from(request.body as string);
        bytes[at % bytes.length] = (bytes[at % bytes.length] + delta) % 256;
        const answer = await send(gw.url, { ...request, body: bytes });
        expect([400, 401]).toContain(answer.status);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects any change to the content under a canonical (V2) signature', async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), value, async (payload, key, newValue) => {
        const changed = { ...payload, [key]: newValue };
        fc.pre(canonicalJson(changed) !== canonicalJson(payload));
        const original = signed(payload, 'didit-both', false);
        const answer = await send(gw.url, { ...original, body: JSON.stringify(changed) });
        expect(answer.status).toBe(401);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects any change to a signature', async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, fc.boolean(), fc.nat(), fc.nat(), async (payload, didit, at, pick) => {
        const request = signed(payload, didit ? 'didit-both' : 'standard', false);
        const h = request.headers as Record<string, string>;
        if (didit) {
          h['x-signature'] = replaceChar(h['x-signature'], at, '0123456789abcdef', pick);
          h['x-signature-v2'] = replaceChar(h['x-signature-v2'], at, '0123456789abcdef', pick);
        } else {
          h['webhook-signature'] = `v1,${replaceChar(h['webhook-signature'].slice(3), at, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', pick)}`;
        }
        expect((await send(gw.url, request)).status).toBe(401);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects any change to a Standard Webhooks timestamp', async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, fc.integer({ min: -600, max: 600 }).filter((d) => d !== 0), async (payload, delta) => {
        const request = signed(payload, 'standard', false);
        const h = request.headers as Record<string, string>;
        h['webhook-timestamp'] = String(Number(h['webhook-timestamp']) + delta);
        expect((await send(gw.url, request)).status).toBe(401);
      }),
      { numRuns: 30 },
    );
  });

  // Didit's signatures do not cover X-Timestamp: a moved timestamp inside the window can only replay
  // the same content, which the dedupe answers with the first id and no new event.
  it('rejects a Didit timestamp moved out of the window, and answers one moved within it as a duplicate', async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, fc.integer({ min: -900, max: 900 }).filter((d) => d !== 0), async (payload, delta) => {
        const request = signed(payload, 'didit-both', false);
        const first = await send(gw.url, request);
        expect(first.status).toBe(202);
        acceptedIds.add(first.body.id);
        const h = request.headers as Record<string, string>;
        const moved = Number(h['x-timestamp']) + delta;
        const answer = await send(gw.url, { ...request, headers: { ...h, 'x-timestamp': String(moved) } });
        if (Math.abs(nowSeconds() - moved) > 301) expect(answer.status).toBe(401);
        else if (Math.abs(nowSeconds() - moved) < 299) expect(answer).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
      }),
      { numRuns: 30 },
    );
  });

  it('published exactly the accepted webhooks, each once', async () => {
    const inbound = () => reader.on(Topics.WebhooksInbound);
    await waitFor(() => inbound().length >= acceptedIds.size, { what: 'the accepted webhooks' });
    expect(acceptedIds.size).toBe(70);
    expect(new Set(inbound().map((r) => r.event?.id))).toEqual(acceptedIds);
    expect(inbound()).toHaveLength(acceptedIds.size);
  });
});
