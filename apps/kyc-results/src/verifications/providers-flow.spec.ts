import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  ConsumerGroups,
  EventSources,
  EventTypes,
  fingerprintOf,
  newEvent,
  newTraceparent,
  retryTopicOf,
  webhookEventId,
  type DomainEvent,
  type WebhookReceivedData,
} from '@compliance/contracts';
import { RetryHeaders } from '@compliance/messaging';
import { TEST_API_KEYS } from '@compliance/platform/testing';
import { FIXTURES_DIR, waitFor } from '@compliance/testing';
import { startKycResults, type KycHarness } from '../../test/kyc-harness';

type Payload = Record<string, any>;

const ONFIDO_TOKEN = 'api_sandbox.flow-test-token-0123';
const SUMSUB_APP_TOKEN = 'sbx:flow-test-app-token-0123456789';
const SUMSUB_SECRET_KEY = 'flow-test-secret-key-0123456789ab';
const fixture = (path: string): Payload => JSON.parse(readFileSync(join(FIXTURES_DIR, 'providers', `${path}.json`), 'utf8'));

/** What the gateway publishes for a verified webhook of `scheme` received on route `source`. */
function received(payload: Payload, scheme: string, sessionId: string, source = scheme): DomainEvent<WebhookReceivedData> {
  const fingerprint = fingerprintOf(payload);
  const event = newEvent<WebhookReceivedData>({
    type: EventTypes.WebhookReceived,
    source: EventSources.WebhookGateway,
    subject: sessionId,
    id: webhookEventId(source, fingerprint),
    data: { source, scheme, receivedAt: new Date().toISOString(), deliveryId: randomUUID(), fingerprint, sessionId, payload },
  });
  return { ...event, traceparent: newTraceparent() };
}

/** A fake Onfido API: any check id is the fixture check (clear), its applicant the fixture applicant; 500s while `down`. */
class FakeOnfido {
  down = false;
  requests = 0;
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.requests++;
      const check = /^\/v3\.6\/checks\/([^/]+)$/.exec(req.url ?? '');
      const body =
        req.headers.authorization !== `Token token=${ONFIDO_TOKEN}` || this.down
          ? undefined
          : check
            ? { ...fixture('onfido/api/check'), id: decodeURIComponent(check[1]) }
            : req.url === '/v3.6/applicants/a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d'
              ? fixture('onfido/api/applicant')
              : undefined;
      res.writeHead(body ? 200 : this.down ? 500 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A fake Sumsub API: checks the app token and recomputes `X-App-Access-Sig` (HMAC-SHA256 of ts +
 * method + path + body) as Sumsub does, 401 otherwise; any applicant id is the fixture applicant
 * under that id; 500s while `down`.
 */
class FakeSumsub {
  down = false;
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const ts = String(req.headers['x-app-access-ts']);
      const signed = createHmac('sha256', SUMSUB_SECRET_KEY).update(`${ts}${req.method}${req.url}`).digest('hex');
      const authentic = req.headers['x-app-token'] === SUMSUB_APP_TOKEN && req.headers['x-app-access-sig'] === signed;
      const applicant = /^\/resources\/applicants\/([^/]+)\/one$/.exec(req.url ?? '');
      const status = this.down ? 500 : !authentic ? 401 : applicant ? 200 : 404;
      const body = status === 200 && applicant ? { ...fixture('sumsub/applicant'), id: decodeURIComponent(applicant[1]) } : {};
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** An approved Sumsub review of a new applicant (Sumsub ids: 24 lowercase hex characters). */
function sumsubReviewed(): { payload: Payload; applicantId: string } {
  const payload = fixture('sumsub/applicant-reviewed-green');
  const applicantId = randomBytes(12).toString('hex');
  // Stamped now, as a fresh delivery would be (the event time is the ordering key).
  Object.assign(payload, { applicantId, createdAtMs: new Date().toISOString().replace('T', ' ').replace('Z', '') });
  return { payload, applicantId };
}

describe('kyc-results: Veriff, Persona, Onfido and Sumsub webhooks to the verification record (real Kafka, real Postgres)', () => {
  let kyc: KycHarness;
  const onfido = new FakeOnfido();
  const sumsub = new FakeSumsub();
  const view = async (sessionId: string, key: string = TEST_API_KEYS.auditor) => (await kyc.api(`/verifications/${sessionId}`, key)).body;

  beforeAll(async () => {
    const [baseUrl, sumsubUrl] = [await onfido.start(), await sumsub.start()];
    kyc = await startKycResults('kycproviders', {
      env: { ONFIDO_API_TOKEN: ONFIDO_TOKEN, ONFIDO_BASE_URL: baseUrl, SUMSUB_APP_TOKEN, SUMSUB_SECRET_KEY, SUMSUB_BASE_URL: sumsubUrl },
    });
  });
  afterAll(async () => {
    await kyc?.stop();
    await onfido.stop();
    await sumsub.stop();
  });

  it('records an approved Veriff decision: the person over HTTP (unmasked for an auditor) and on kyc.verification.approved', async () => {
    const payload = fixture('veriff/decision-approved');
    const [sessionId, subjectRef] = [randomUUID(), `customer-${randomUUID().slice(0, 8)}`];
    Object.assign(payload.verification, { id: sessionId, vendorData: subjectRef });
    await kyc.deliver(received(payload, 'veriff', sessionId));

    const [event] = await kyc.waitForEvents(sessionId, 1);
    expect(event.type).toBe('kyc.verification.approved');
    expect(event.data).toMatchObject({
      sessionId,
      subjectRef,
      provider: 'veriff',
      status: 'approved',
      providerStatus: 'approved',
      decision: { documentType: 'PASSPORT', issuingCountry: 'GB' },
      // What aml-trigger screens.
      identity: { fullName: 'Sarah Morgan', dateOfBirth: '1967-03-30', nationality: 'GB', documentNumber: 'MORGA753116SM9IJ' },
    });
    const body = await view(sessionId);
    expect(body).toMatchObject({
      status: 'approved',
      provider: 'veriff',
      subjectRef,
      identity: { visibility: 'full', firstName: 'Sarah', lastName: 'Morgan', fullName: 'Sarah Morgan', dateOfBirth: '1967-03-30' },
    });
    expect(body.history).toEqual([expect.objectContaining({ status: 'approved', webhookType: 'decision', payloadVersion: 'veriff-v1' })]);
    // An analyst sees initials and the birth year only.
    expect((await view(sessionId, TEST_API_KEYS.analyst)).identity).toMatchObject({ visibility: 'masked', fullName: 'S••• M•••', dateOfBirth: '1967' });
  });

  it('reads a Veriff payload received on another route by its signature scheme', async () => {
    const payload = fixture('veriff/decision-declined');
    const sessionId = randomUUID();
    payload.verification.id = sessionId;
    await kyc.deliver(received(payload, 'veriff', sessionId, 'acme'));
    const [event] = await kyc.waitForEvents(sessionId, 1);
    expect(event.data).toMatchObject({ provider: 'veriff', status: 'declined' });
  });

  it('records an approved Persona inquiry with the person, and announces it with the identity', async () => {
    const payload = fixture('persona/inquiry-approved');
    const inquiry = payload.data.attributes.payload.data;
    const [sessionId, subjectRef] = [`inq_${randomUUID().replace(/-/g, '').slice(0, 24)}`, `customer-${randomUUID().slice(0, 8)}`];
    inquiry.id = sessionId;
    inquiry.attributes['reference-id'] = subjectRef;
    await kyc.deliver(received(payload, 'persona', sessionId));

    const [event] = await kyc.waitForEvents(sessionId, 1);
    expect(event.type).toBe('kyc.verification.approved');
    expect(event.data).toMatchObject({ provider: 'persona', subjectRef, workflowId: 'itmpl_Tq4nk4SZkyKqbGrrqUNMM3A6', identity: { fullName: 'Jane Marie Doe', dateOfBirth: '1994-04-12', documentNumber: 'I1234562' } });
    expect(await view(sessionId, TEST_API_KEYS.admin)).toMatchObject({
      status: 'approved',
      providerStatus: 'approved',
      identity: { visibility: 'full', fullName: 'Jane Marie Doe', address: '123 Main St, Apt 4, San Francisco, California, 94111, US' },
    });
  });

  it('completes an Onfido check.completed from the (fake) Onfido API: approved, with the applicant’s name', async () => {
    const payload = fixture('onfido/check-completed');
    const sessionId = randomUUID();
    payload.payload.object.id = sessionId;
    await kyc.deliver(received(payload, 'onfido', sessionId));

    const [event] = await kyc.waitForEvents(sessionId, 1);
    expect(event.data).toMatchObject({ provider: 'onfido', status: 'approved', providerStatus: 'clear', identity: { fullName: 'Camille Durand', dateOfBirth: '1988-11-23', documentNumber: '18FR12345' } });
    expect(await view(sessionId)).toMatchObject({
      status: 'approved',
      subjectRef: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
      identity: { visibility: 'full', fullName: 'Camille Durand', firstName: 'Camille', lastName: 'Durand' },
    });
  });

  it('sends an Onfido webhook to the retry topic while the API fails, and records it once the API answers', async () => {
    const payload = fixture('onfido/check-completed');
    const sessionId = randomUUID();
    payload.payload.object.id = sessionId;
    const event = received(payload, 'onfido', sessionId);
    onfido.down = true;
    try {
      await kyc.deliver(event);
      const retried = await waitFor(() => kyc.reader.on(retryTopicOf(ConsumerGroups.KycResults)).find((r) => r.headers.ce_id === event.id), { what: 'the Onfido webhook on the retry topic' });
      expect(retried.headers[RetryHeaders.LastError]).toContain('Onfido GET checks: HTTP 500');
    } finally {
      onfido.down = false;
    }
    const [announced] = await kyc.waitForEvents(sessionId, 1);
    expect(announced.data).toMatchObject({ status: 'approved', identity: { fullName: 'Camille Durand' } });
  });

  it('completes an approved Sumsub review from the (fake, signed) Sumsub API: the person over HTTP and on kyc.verification.approved', async () => {
    const { payload, applicantId } = sumsubReviewed();
    await kyc.deliver(received(payload, 'sumsub', applicantId));

    const [event] = await kyc.waitForEvents(applicantId, 1);
    expect(event.type).toBe('kyc.verification.approved');
    expect(event.data).toMatchObject({
      sessionId: applicantId,
      subjectRef: 'customer-2001',
      provider: 'sumsub',
      status: 'approved',
      providerStatus: 'GREEN',
      decision: { documentType: 'PASSPORT', issuingCountry: 'SWE' },
      // What aml-trigger screens: no longer "the approved verification carries no name to screen".
      identity: { fullName: 'Mattias Erik Lindqvist', dateOfBirth: '1991-07-14', nationality: 'SWE', documentNumber: 'AB1234567' },
    });
    for (const key of [TEST_API_KEYS.admin, TEST_API_KEYS.auditor]) {
      expect(await view(applicantId, key)).toMatchObject({
        status: 'approved',
        provider: 'sumsub',
        identity: { visibility: 'full', firstName: 'Mattias', lastName: 'Lindqvist', fullName: 'Mattias Erik Lindqvist', dateOfBirth: '1991-07-14' },
      });
    }
    expect((await view(applicantId, TEST_API_KEYS.analyst)).identity).toMatchObject({ visibility: 'masked', dateOfBirth: '1991' });
  });

  it('sends a Sumsub review to the retry topic while the API fails, and records it with the person once the API answers', async () => {
    const { payload, applicantId } = sumsubReviewed();
    const event = received(payload, 'sumsub', applicantId);
    sumsub.down = true;
    try {
      await kyc.deliver(event);
      const retried = await waitFor(() => kyc.reader.on(retryTopicOf(ConsumerGroups.KycResults)).find((r) => r.headers.ce_id === event.id), { what: 'the Sumsub review on the retry topic' });
      expect(retried.headers[RetryHeaders.LastError]).toContain('Sumsub GET applicants: HTTP 500');
      expect(retried.headers[RetryHeaders.LastError]).not.toContain(applicantId);
    } finally {
      sumsub.down = false;
    }
    const [announced] = await kyc.waitForEvents(applicantId, 1);
    expect(announced.data).toMatchObject({ status: 'approved', identity: { fullName: 'Mattias Erik Lindqvist' } });
  });
});
