import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EventSources, EventTypes, newEvent, type DomainEvent, type WebhookReceivedData } from '@compliance/contracts';
import { isInfrastructureError, PermanentEventError } from '@compliance/messaging';
import { FIXTURES_DIR } from '@compliance/testing';
import type { ReportToRecord, VerificationRecorder } from '../verifications/verification-recorder';
import { WebhookIntake } from '../verifications/webhook-intake';
import { SumsubApiError, SumsubClient, sumsubSignature, type SumsubClientOptions } from './sumsub-client';

const APP_TOKEN = 'sbx:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2';
const SECRET_KEY = 'Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq';
const APPLICANT_ID = '65a1f0c2e4b0a12b3c4d5e6f';
const APPLICANT_PATH = `/resources/applicants/${APPLICANT_ID}/one`;
const sumsub = (name: string) => readFileSync(join(FIXTURES_DIR, 'providers', 'sumsub', `${name}.json`), 'utf8');

type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';
type Seen = { method?: string; path: string; token?: string; ts?: string; sig?: string; signatureValid: boolean };

/**
 * A fake Sumsub: checks every request as Sumsub does (a known app token, a timestamp within a
 * minute, `X-App-Access-Sig` recomputed from ts + method + path with query + body with the secret
 * key) and answers 401 otherwise; serves the fixture applicant, unless a test queues other answers.
 */
class FakeSumsub {
  readonly requests: Seen[] = [];
  readonly queued: Answer[] = [];
  down = false;
  private server!: Server;
  private readonly hanging: ServerResponse[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, body: string, res: ServerResponse): void {
    const seen = this.check(req, body);
    this.requests.push(seen);
    const next: Answer = this.queued.shift() ?? (this.down ? { status: 500 } : this.normal(req, seen));
    if (next === 'hang') {
      this.hanging.push(res);
      return;
    }
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body ?? '{}');
  }

  private check(req: IncomingMessage, body: string): Seen {
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const [token, ts, sig] = [header('x-app-token'), header('x-app-access-ts'), header('x-app-access-sig')];
    const expected = createHmac('sha256', SECRET_KEY)
      .update(`${ts}${req.method}${req.url}${body}`)
      .digest('hex');
    const fresh = ts !== undefined && /^\d+$/.test(ts) && Math.abs(Number(ts) - Date.now() / 1000) <= 60;
    const signatureValid = !!sig && sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
    return { method: req.method, path: req.url ?? '', token, ts, sig, signatureValid: signatureValid && fresh };
  }

  private normal(req: IncomingMessage, seen: Seen): Answer {
    if (seen.token !== APP_TOKEN || !seen.signatureValid) return { status: 401, body: '{"code":401,"errorCode":4003,"description":"Request signature mismatch"}' };
    if (req.method === 'GET' && req.url === APPLICANT_PATH) return { status: 200, body: sumsub('applicant') };
    return { status: 404, body: '{"code":404,"description":"Applicant not found"}' };
  }
}

describe('SumsubClient against a fake Sumsub API', () => {
  const fake = new FakeSumsub();
  let baseUrl: string;
  const client = (options: Partial<SumsubClientOptions> = {}) => new SumsubClient({ baseUrl, appToken: APP_TOKEN, secretKey: SECRET_KEY, backoffMs: 10, maxBackoffMs: 20, ...options });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (err: unknown) => err as SumsubApiError,
    );

  beforeAll(async () => {
    baseUrl = await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.queued.length = 0;
    fake.down = false;
  });

  it('fetches the applicant with a signed request the fake verifies (token, timestamp, HMAC of ts + GET + path)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await client().lookup({ provider: 'sumsub', resource: 'applicant', id: APPLICANT_ID });
    expect(answer).toMatchObject({ applicant: { id: APPLICANT_ID, info: { firstName: 'Mattias', lastName: 'Lindqvist' } } });
    expect(fake.requests).toEqual([expect.objectContaining({ method: 'GET', path: APPLICANT_PATH, token: APP_TOKEN, signatureValid: true })]);
    const { ts, sig } = fake.requests[0];
    expect(Number(ts)).toBeGreaterThanOrEqual(before);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(sig).toBe(sumsubSignature(SECRET_KEY, ts as string, { method: 'GET', path: APPLICANT_PATH, body: '' }));
  });

  it('signs the path as sent, a base path included', async () => {
    // A proxy in front of Sumsub (a base URL with a path) sees, and checks, the whole path.
    const err = await failure(client({ baseUrl: `${baseUrl}/sumsub-proxy` }).applicant(APPLICANT_ID));
    expect(err).toMatchObject({ code: 'SUMSUB_API_REFUSED', status: 404 });
    expect(fake.requests[0]).toMatchObject({ path: `/sumsub-proxy${APPLICANT_PATH}`, signatureValid: true });
  });

  it('signs over the method, the path with its query and the body, keyed by the secret key', () => {
    const sig = sumsubSignature('secret', '1700000000', { method: 'GET', path: '/resources/applicants/abc/one?lang=en', body: '' });
    expect(sig).toBe(createHmac('sha256', 'secret').update('1700000000GET/resources/applicants/abc/one?lang=en').digest('hex'));
    expect(sumsubSignature('secret', '1700000000', { method: 'GET', path: '/resources/applicants/abc/one', body: '' })).not.toBe(sig);
    expect(sumsubSignature('other', '1700000000', { method: 'GET', path: '/resources/applicants/abc/one?lang=en', body: '' })).not.toBe(sig);
  });

  it('reports a failure when the signature is wrong (another secret key): 401 from Sumsub, not retried', async () => {
    const err = await failure(client({ secretKey: 'not-the-secret-key-0123456789ab' }).lookup({ provider: 'sumsub', resource: 'applicant', id: APPLICANT_ID }));
    expect(err).toBeInstanceOf(SumsubApiError);
    expect(err).toMatchObject({ code: 'SUMSUB_API_REFUSED', status: 401, message: 'Sumsub GET applicants: HTTP 401' });
    expect(err).not.toBeInstanceOf(PermanentEventError);
    expect(fake.requests).toEqual([expect.objectContaining({ token: APP_TOKEN, signatureValid: false })]);
  });

  it('reports a failure for an unknown app token and for a stale timestamp', async () => {
    expect(await failure(client({ appToken: 'sbx:someone-elses-token-0123456789' }).applicant(APPLICANT_ID))).toMatchObject({ code: 'SUMSUB_API_REFUSED', status: 401 });
    const clockOff = client({ now: () => Date.now() - 10 * 60_000 });
    expect(await failure(clockOff.applicant(APPLICANT_ID))).toMatchObject({ code: 'SUMSUB_API_REFUSED', status: 401 });
    expect(fake.requests).toHaveLength(2);
  });

  it('answers nothing and asks nothing without credentials (both are needed)', async () => {
    for (const disabled of [new SumsubClient({ baseUrl }), new SumsubClient({ baseUrl, appToken: APP_TOKEN }), new SumsubClient({ baseUrl, secretKey: SECRET_KEY })]) {
      expect(disabled.enabled).toBe(false);
      expect(await disabled.lookup({ provider: 'sumsub', resource: 'applicant', id: APPLICANT_ID })).toBeUndefined();
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('retries after a 500 and a 502, signing each attempt, and succeeds', async () => {
    fake.queued.push({ status: 500 }, { status: 502 });
    expect(await client().applicant(APPLICANT_ID)).toMatchObject({ id: APPLICANT_ID });
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.every((r) => r.path === APPLICANT_PATH && r.signatureValid)).toBe(true);
  });

  it('waits for the Retry-After of a 429, then succeeds', async () => {
    fake.queued.push({ status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    expect(await client().applicant(APPLICANT_ID)).toMatchObject({ id: APPLICANT_ID });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.requests).toHaveLength(2);
  });

  it('does not wait for a Retry-After beyond the limit: the request fails at once, retryable', async () => {
    fake.queued.push({ status: 429, headers: { 'retry-after': '120' } });
    expect(await failure(client().applicant(APPLICANT_ID))).toMatchObject({ code: 'SUMSUB_API_UNAVAILABLE', status: 429 });
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up after the attempts with a retryable error naming the resource type and status only', async () => {
    fake.down = true;
    const err = await failure(client({ attempts: 3 }).applicant(APPLICANT_ID));
    expect(err).toMatchObject({ code: 'SUMSUB_API_UNAVAILABLE', status: 500, message: 'Sumsub GET applicants: HTTP 500' });
    expect(err.message).not.toContain(APPLICANT_ID);
    expect(fake.requests).toHaveLength(3);
  });

  it('times out a request that gets no answer, and fails on network errors, neither taken for consumer infrastructure', async () => {
    fake.queued.push('hang', 'hang');
    expect(await failure(client({ timeoutMs: 100, attempts: 2 }).applicant(APPLICANT_ID))).toMatchObject({
      code: 'SUMSUB_API_UNAVAILABLE',
      message: 'Sumsub GET applicants: no answer within 100 ms',
    });
    const err = await failure(client({ baseUrl: 'http://127.0.0.1:1', attempts: 2, backoffMs: 5 }).applicant(APPLICANT_ID));
    expect(err).toMatchObject({ code: 'SUMSUB_API_UNAVAILABLE', message: 'Sumsub GET applicants: request failed (network)' });
    expect(isInfrastructureError(err)).toBe(false);
  });

  it('opens the circuit after consecutive failures, fails fast, and closes on a successful half-open trial', async () => {
    fake.down = true;
    const breaker = client({ attempts: 1, failureThreshold: 2, coolDownMs: 200 });
    for (let i = 0; i < 2; i++) expect(await failure(breaker.applicant(APPLICANT_ID))).toMatchObject({ code: 'SUMSUB_API_UNAVAILABLE' });
    expect(breaker.circuit).toBe('open');
    const started = Date.now();
    expect(await failure(breaker.applicant(APPLICANT_ID))).toMatchObject({ code: 'SUMSUB_CIRCUIT_OPEN' });
    expect(Date.now() - started).toBeLessThan(50);
    expect(fake.requests).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(breaker.circuit).toBe('half_open');
    fake.down = false;
    expect(await breaker.applicant(APPLICANT_ID)).toMatchObject({ id: APPLICANT_ID });
    expect(breaker.circuit).toBe('closed');
  });

  it('does not count refusals (a wrong signature) towards opening the circuit', async () => {
    const wrong = client({ secretKey: 'not-the-secret-key-0123456789ab', failureThreshold: 2 });
    for (let i = 0; i < 3; i++) expect(await failure(wrong.applicant(APPLICANT_ID))).toMatchObject({ code: 'SUMSUB_API_REFUSED' });
    expect(wrong.circuit).toBe('closed');
  });

  describe('in WebhookIntake', () => {
    const sumsubEvent = (fixture = 'applicant-reviewed-green'): DomainEvent<WebhookReceivedData> =>
      newEvent<WebhookReceivedData>({
        type: EventTypes.WebhookReceived,
        source: EventSources.WebhookGateway,
        subject: APPLICANT_ID,
        data: {
          source: 'sumsub',
          scheme: 'sumsub',
          receivedAt: new Date().toISOString(),
          deliveryId: 'delivery-1',
          sessionId: APPLICANT_ID,
          payload: JSON.parse(sumsub(fixture)),
        },
      });
    const recorded: ReportToRecord[] = [];
    const recorder = { recordAll: async (_m: unknown, items: ReportToRecord[]) => (recorded.push(...items), items.map(() => 'transition')) } as unknown as VerificationRecorder;
    beforeEach(() => {
      recorded.length = 0;
    });

    it('completes applicantReviewed from the API (the applicant fetched once per batch); other webhooks need no call', async () => {
      await new WebhookIntake(recorder, null, [client()]).receiveAll([sumsubEvent(), sumsubEvent('applicant-pending'), sumsubEvent()], {} as never);
      expect(recorded.map((r) => r.report)).toEqual([
        expect.objectContaining({ status: 'approved', decision: expect.objectContaining({ identity: expect.objectContaining({ fullName: 'Mattias Erik Lindqvist' }) }) }),
        expect.objectContaining({ status: 'in_review', decision: undefined }),
        expect.objectContaining({ status: 'approved' }),
      ]);
      expect(fake.requests).toHaveLength(1);
    });

    it('fails the batch with the retryable API error (not a PermanentEventError) when Sumsub is down or refuses the signature', async () => {
      fake.down = true;
      const down = await failure(new WebhookIntake(recorder, null, [client({ attempts: 1 })]).receiveAll([sumsubEvent()], {} as never));
      expect(down).toBeInstanceOf(SumsubApiError);
      expect(down).not.toBeInstanceOf(PermanentEventError);
      fake.down = false;
      const refused = await failure(new WebhookIntake(recorder, null, [client({ secretKey: 'not-the-secret-key-0123456789ab' })]).receiveAll([sumsubEvent()], {} as never));
      expect(refused).toMatchObject({ code: 'SUMSUB_API_REFUSED', status: 401 });
      expect(refused).not.toBeInstanceOf(PermanentEventError);
      expect(recorded).toHaveLength(0);
    });

    it('records status only, without identity, when Sumsub credentials are not configured', async () => {
      await new WebhookIntake(recorder, null, [new SumsubClient({ baseUrl })]).receiveAll([sumsubEvent()], {} as never);
      expect(recorded[0].report).toMatchObject({ status: 'approved', providerStatus: 'GREEN', decision: { summary: {} } });
      expect(recorded[0].report.decision?.identity).toBeUndefined();
      expect(fake.requests).toHaveLength(0);
    });
  });
});
