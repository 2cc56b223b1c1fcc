import { Topics } from '@compliance/contracts';
import {
  nowSeconds,
  onfidoPayload,
  onfidoRequest,
  personaEvent,
  personaRequest,
  sumsubPayload,
  sumsubRequest,
  sumsubTime,
  veriffDecision,
  veriffRequest,
  waitFor,
  type ProviderRequest,
} from '@compliance/testing';
import { type TopicReader } from '@compliance/messaging/testing';
import { freshLoopbackAddress, nonEmpty, readGatewayTopics, send, startGateway, type Gateway, type HttpAnswer } from '../../test/gateway-harness';

/** Two secrets per provider, the new one first (a rotation in progress). */
const SECRETS = {
  sumsub: ['sumsub-secret-key-new-0001', 'sumsub-secret-key-old-0000'],
  onfido: ['onfido-webhook-token-new-01', 'onfido-webhook-token-old-00'],
  veriff: ['veriff-shared-secret-new-01', 'veriff-shared-secret-old-00'],
  persona: ['wbhsec_persona-secret-new-01', 'wbhsec_persona-secret-old-00'],
};
const VERIFF_API_KEY = '6c5a3f2e-0b1d-4e8a-9f7c-2d4b6a8c0e1f';
const FORGED = 'a-secret-nobody-configured-42';

interface Expected {
  sessionId: string;
  subjectRef?: string;
  status: string;
  webhookType: string;
  deliveryId?: string;
}

interface Provider {
  source: keyof typeof SECRETS;
  /** A fresh signed webhook (its own session), what the gateway must read from it, and a text of its body to tamper with. */
  build(secret: string): { request: ProviderRequest; expected: Expected; tamper: [string, string] };
  /** The headers that carry the signature, dropped for an unsigned request. */
  signatureHeaders: string[];
}

interface PersonaEventData {
  id: string;
  attributes: { payload: { data: { id: string; attributes: Record<string, string> } } };
}

const PROVIDERS: Provider[] = [
  {
    source: 'sumsub',
    signatureHeaders: ['x-payload-digest', 'x-payload-digest-alg'],
    build: (secret) => {
      const payload = sumsubPayload({ reviewResult: { reviewAnswer: 'RED', rejectLabels: ['FORGERY'], reviewRejectType: 'FINAL' } });
      return {
        request: sumsubRequest(payload, secret, 'HMAC_SHA512_HEX'),
        expected: { sessionId: payload.applicantId as string, subjectRef: payload.externalUserId as string, status: 'RED', webhookType: 'applicantReviewed' },
        tamper: ['"RED"', '"GREEN"'],
      };
    },
  },
  {
    source: 'onfido',
    signatureHeaders: ['x-sha2-signature'],
    build: (secret) => {
      const payload = onfidoPayload();
      const id = (payload.payload as { object: { id: string } }).object.id;
      return { request: onfidoRequest(payload, secret), expected: { sessionId: id, status: 'complete', webhookType: 'check.completed' }, tamper: ['"complete"', '"withdrawn"'] };
    },
  },
  {
    source: 'veriff',
    signatureHeaders: ['x-hmac-signature'],
    build: (secret) => {
      const payload = veriffDecision({ status: 'declined', code: 9102, reason: 'Physical document not used' });
      const verification = payload.verification as { id: string; vendorData: string };
      return {
        request: veriffRequest(payload, secret, VERIFF_API_KEY),
        expected: { sessionId: verification.id, subjectRef: verification.vendorData, status: 'declined', webhookType: 'verification.decision' },
        tamper: ['"declined"', '"approved"'],
      };
    },
  },
  {
    source: 'persona',
    signatureHeaders: ['persona-signature'],
    build: (secret) => {
      const payload = personaEvent({ status: 'completed' }, 'inquiry.completed');
      const event = payload.data as PersonaEventData;
      const inquiry = event.attributes.payload.data;
      return {
        request: personaRequest(payload, secret),
        expected: { deliveryId: event.id, sessionId: inquiry.id, subjectRef: inquiry.attributes['reference-id'], status: 'completed', webhookType: 'inquiry.completed' },
        tamper: ['"completed"', '"approved"'],
      };
    },
  },
];

describe('POST /webhooks/{sumsub,onfido,veriff,persona}: enabled by their secrets (real HTTP, Kafka, Postgres)', () => {
  let gw: Gateway;
  let reader: TopicReader;
  const rejectionsFrom = (address: string) => reader.on(Topics.WebhooksRejected).filter((r) => r.key === address);

  beforeAll(async () => {
    gw = await startGateway('gw-providers', {
      SUMSUB_WEBHOOK_SECRET: SECRETS.sumsub.join(','),
      ONFIDO_WEBHOOK_TOKEN: SECRETS.onfido.join(','),
      VERIFF_SHARED_SECRET: SECRETS.veriff.join(','),
      VERIFF_API_KEY,
      PERSONA_WEBHOOK_SECRET: SECRETS.persona.join(','),
      WEBHOOK_AUTH_FAILURE_LIMIT: '1000',
    });
    reader = await readGatewayTopics(gw.namespace);
  });

  afterAll(async () => {
    await reader?.stop();
    await gw?.app.close();
  });

  const post = (source: string, request: ProviderRequest, localAddress = freshLoopbackAddress()) =>
    send(gw.url, { path: `/webhooks/${source}`, headers: request.headers, body: request.body, localAddress });

  /** The webhook.received the answer names, with the facts the gateway read from the payload. */
  async function published(source: string, answer: HttpAnswer, expected: Expected): Promise<void> {
    expect(answer.status).toBe(202);
    const [record] = await waitFor(() => nonEmpty(reader.on(Topics.WebhooksInbound).filter((r) => r.event?.id === answer.body.id)), { what: `the ${source} webhook` });
    expect(record.key).toBe(expected.sessionId);
    expect(record.headers.ce_subject).toBe(expected.sessionId);
    const { deliveryId, ...facts } = expected;
    expect(record.event?.data).toMatchObject({ source, scheme: source, ...facts });
    const data = record.event?.data as { deliveryId: string; subjectRef?: string };
    if (deliveryId) expect(data.deliveryId).toBe(deliveryId);
    else expect(data.deliveryId).toMatch(/^content:[0-9a-f]{64}$/);
    if (!expected.subjectRef) expect(data.subjectRef).toBeUndefined();
  }

  /** A 401 answered as every 401 is, and its webhook.rejected report with the precise reason. */
  async function refused(source: string, request: ProviderRequest, reason: string): Promise<void> {
    const address = freshLoopbackAddress();
    const answer = await post(source, request, address);
    expect(answer).toMatchObject({ status: 401, body: { code: 'INVALID_SIGNATURE', message: 'the webhook could not be authenticated' } });
    const [record] = await waitFor(() => nonEmpty(rejectionsFrom(address)), { what: `the ${source} rejection` });
    expect(record.event?.data).toMatchObject({ source, reason, status: 401, code: 'INVALID_SIGNATURE', remoteAddress: address, size: request.body.length });
    expect(answer.body.requestId).toBe(record.event?.id);
  }

  describe.each(PROVIDERS)('$source', ({ source, build, signatureHeaders }) => {
    it('accepts a correctly signed webhook: 202 and webhook.received with its session, subject, status and type', async () => {
      const { request, expected } = build(SECRETS[source][0]);
      await published(source, await post(source, request), expected);
    });

    it('accepts a webhook signed with the second secret of a two-secret rotation', async () => {
      const { request, expected } = build(SECRETS[source][1]);
      await published(source, await post(source, request), expected);
    });

    it('answers the same delivery again with 200 and the first id', async () => {
      const { request } = build(SECRETS[source][0]);
      const first = await post(source, request);
      expect(first.status).toBe(202);
      expect(await post(source, request)).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
    });

    it('refuses a tampered body with 401 and reports SIGNATURE_MISMATCH', async () => {
      const { request, tamper } = build(SECRETS[source][0]);
      const text = request.body.toString('utf8');
      expect(text).toContain(tamper[0]);
      await refused(source, { ...request, body: Buffer.from(text.replace(tamper[0], tamper[1])) }, 'SIGNATURE_MISMATCH');
    });

    it('refuses an unsigned webhook with 401 and reports HEADER_MISSING', async () => {
      const { request } = build(SECRETS[source][0]);
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !signatureHeaders.includes(name)));
      await refused(source, { ...request, headers }, 'HEADER_MISSING');
    });

    it('refuses a webhook signed with a secret not configured with 401 and reports SIGNATURE_MISMATCH', async () => {
      await refused(source, build(FORGED).request, 'SIGNATURE_MISMATCH');
    });
  });

  it('veriff: refuses a validly signed webhook whose X-AUTH-CLIENT is not the API key', async () => {
    const { request } = PROVIDERS[2].build(SECRETS.veriff[0]);
    await refused('veriff', { ...request, headers: { ...request.headers, 'x-auth-client': 'another-integration-api-key' } }, 'SIGNATURE_MISMATCH');
  });

  it('persona: accepts a header with one pair per secret of a rotation at Persona, ours second', async () => {
    const payload = personaEvent();
    const res = await post('persona', personaRequest(payload, [FORGED, SECRETS.persona[1]]));
    expect(res.status).toBe(202);
  });

  it('persona: refuses a signature whose t is outside the 300 s window, either way', async () => {
    await refused('persona', personaRequest(personaEvent(), SECRETS.persona[0], nowSeconds() - 310), 'TIMESTAMP_OUT_OF_WINDOW');
    await refused('persona', personaRequest(personaEvent(), SECRETS.persona[0], nowSeconds() + 310), 'TIMESTAMP_OUT_OF_WINDOW');
  });

  it('sumsub: refuses a signed body whose createdAtMs is older than WEBHOOK_MAX_EVENT_AGE_SEC (a replay)', async () => {
    const old = sumsubPayload({ createdAtMs: sumsubTime(new Date(Date.now() - 86_401_000)) });
    await refused('sumsub', sumsubRequest(old, SECRETS.sumsub[0]), 'EVENT_TOO_OLD');
  });

  it('answers 400 naming the missing fields of a verified webhook that lacks them', async () => {
    const answer = await post('onfido', onfidoRequest({ payload: { resource_type: 'check', object: {} } }, SECRETS.onfido[0]));
    expect(answer).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD' } });
    expect(answer.body.message).toContain('payload.action, payload.object.id');
  });
});
