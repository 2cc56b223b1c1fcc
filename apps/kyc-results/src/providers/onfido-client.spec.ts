import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EventSources, EventTypes, newEvent, type DomainEvent, type WebhookReceivedData } from '@compliance/contracts';
import { isInfrastructureError, PermanentEventError } from '@compliance/messaging';
import { configProblems, loadConfig } from '@compliance/platform';
import { FIXTURES_DIR } from '@compliance/testing';
import { KycResultsConfig } from '../kyc-results.config';
import type { VerificationRecorder, ReportToRecord } from '../verifications/verification-recorder';
import { WebhookIntake } from '../verifications/webhook-intake';
import { OnfidoApiError, OnfidoClient, retryAfterMs, type OnfidoClientOptions } from './onfido-client';

const TOKEN = 'api_sandbox.test-token-0123456789';
const CHECK_ID = 'b9a8c7d6-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const APPLICANT_ID = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const api = (name: string) => readFileSync(join(FIXTURES_DIR, 'providers', 'onfido', 'api', `${name}.json`), 'utf8');

type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** A fake Onfido: answers from the fixtures for the right token (401 otherwise), unless a test queues other answers. */
class FakeOnfido {
  readonly requests: Array<{ path: string; authorization?: string }> = [];
  /** Answers for the next requests, in order, before the normal ones. */
  readonly queued: Answer[] = [];
  down = false;
  private server!: Server;
  private readonly hanging: ServerResponse[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const next: Answer = this.queued.shift() ?? (this.down ? { status: 500 } : this.normal(req));
    if (next === 'hang') {
      this.hanging.push(res);
      return;
    }
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body ?? '{}');
  }

  private normal(req: IncomingMessage): Answer {
    if (req.headers.authorization !== `Token token=${TOKEN}`) return { status: 401, body: '{"error":{"type":"authorization_error"}}' };
    const routes: Record<string, string> = {
      [`/v3.6/checks/${CHECK_ID}`]: api('check'),
      [`/v3.6/workflow_runs/2f152409-d6c4-4711-8750-48517f99a8d6`]: api('workflow-run'),
      [`/v3.6/applicants/${APPLICANT_ID}`]: api('applicant'),
    };
    const body = routes[req.url ?? ''];
    return body ? { status: 200, body } : { status: 404, body: '{"error":{"type":"resource_not_found"}}' };
  }
}

describe('OnfidoClient against a fake Onfido API', () => {
  const onfido = new FakeOnfido();
  let baseUrl: string;
  const client = (options: Partial<OnfidoClientOptions> = {}) => new OnfidoClient({ baseUrl, token: TOKEN, backoffMs: 10, maxBackoffMs: 20, ...options });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (err: unknown) => err as OnfidoApiError,
    );

  beforeAll(async () => {
    baseUrl = await onfido.start();
  });
  afterAll(() => onfido.stop());
  beforeEach(() => {
    onfido.requests.length = 0;
    onfido.queued.length = 0;
    onfido.down = false;
  });

  it('fetches the check and then its applicant with the token in the Authorization header', async () => {
    const answer = await client().lookup({ provider: 'onfido', resource: 'check', id: CHECK_ID });
    expect(answer).toMatchObject({ check: { id: CHECK_ID, result: 'clear', applicant_id: APPLICANT_ID }, applicant: { first_name: 'Camille', last_name: 'Durand' } });
    expect(onfido.requests).toEqual([
      { path: `/v3.6/checks/${CHECK_ID}`, authorization: `Token token=${TOKEN}` },
      { path: `/v3.6/applicants/${APPLICANT_ID}`, authorization: `Token token=${TOKEN}` },
    ]);
  });

  it('fetches a workflow run and its applicant', async () => {
    const answer = await client().lookup({ provider: 'onfido', resource: 'workflow_run', id: '2f152409-d6c4-4711-8750-48517f99a8d6' });
    expect(answer).toMatchObject({ workflow_run: { status: 'approved', customer_user_id: 'customer-3001' }, applicant: { id: APPLICANT_ID } });
  });

  it('answers nothing and asks nothing without a token', async () => {
    const disabled = new OnfidoClient({ baseUrl });
    expect(disabled.enabled).toBe(false);
    expect(await disabled.lookup({ provider: 'onfido', resource: 'check', id: CHECK_ID })).toBeUndefined();
    expect(onfido.requests).toHaveLength(0);
  });

  it('retries after a 500 and succeeds', async () => {
    onfido.queued.push({ status: 500 }, { status: 502 });
    expect(await client().check(CHECK_ID)).toMatchObject({ id: CHECK_ID });
    expect(onfido.requests.map((r) => r.path)).toEqual(Array(3).fill(`/v3.6/checks/${CHECK_ID}`));
  });

  it('waits for the Retry-After of a 429, then succeeds', async () => {
    onfido.queued.push({ status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    expect(await client().check(CHECK_ID)).toMatchObject({ id: CHECK_ID });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(onfido.requests).toHaveLength(2);
  });

  it('does not wait for a Retry-After beyond the limit: the request fails at once, retryable', async () => {
    onfido.queued.push({ status: 429, headers: { 'retry-after': '120' } });
    const err = await failure(client().check(CHECK_ID));
    expect(err).toBeInstanceOf(OnfidoApiError);
    expect(err).toMatchObject({ code: 'ONFIDO_API_UNAVAILABLE', status: 429 });
    expect(onfido.requests).toHaveLength(1);
  });

  it('gives up after the attempts with a retryable error naming the resource type and status only', async () => {
    onfido.down = true;
    const err = await failure(client({ attempts: 3 }).check(CHECK_ID));
    expect(err).toMatchObject({ code: 'ONFIDO_API_UNAVAILABLE', status: 500, message: 'Onfido GET checks: HTTP 500' });
    expect(err).not.toBeInstanceOf(PermanentEventError);
    expect(onfido.requests).toHaveLength(3);
  });

  it('times out a request that gets no answer, and retries it', async () => {
    onfido.queued.push('hang', 'hang');
    const err = await failure(client({ timeoutMs: 100, attempts: 2 }).check(CHECK_ID));
    expect(err).toMatchObject({ code: 'ONFIDO_API_UNAVAILABLE', message: 'Onfido GET checks: no answer within 100 ms' });
    expect(onfido.requests).toHaveLength(2);
  });

  it('does not retry a refusal (wrong token, 401): retryable for the event, not for the request', async () => {
    const err = await failure(new OnfidoClient({ baseUrl, token: 'api_sandbox.wrong-token-000000' }).check(CHECK_ID));
    expect(err).toMatchObject({ code: 'ONFIDO_API_REFUSED', status: 401 });
    expect(onfido.requests).toHaveLength(1);
  });

  it('fails on network errors with an error the consumer runtime does not take for its own infrastructure', async () => {
    const err = await failure(new OnfidoClient({ baseUrl: 'http://127.0.0.1:1', token: TOKEN, attempts: 2, backoffMs: 5 }).check(CHECK_ID));
    expect(err).toMatchObject({ code: 'ONFIDO_API_UNAVAILABLE', message: 'Onfido GET checks: request failed (network)' });
    // An infrastructure error would block the partition in place instead of retrying this event later.
    expect(isInfrastructureError(err)).toBe(false);
  });

  it('opens the circuit after consecutive failures and then fails fast without calling Onfido', async () => {
    onfido.down = true;
    const breaker = client({ attempts: 1, failureThreshold: 3, coolDownMs: 60_000 });
    for (let i = 0; i < 3; i++) expect(await failure(breaker.check(CHECK_ID))).toMatchObject({ code: 'ONFIDO_API_UNAVAILABLE' });
    expect(breaker.circuit).toBe('open');
    const started = Date.now();
    const err = await failure(breaker.check(CHECK_ID));
    expect(err).toMatchObject({ code: 'ONFIDO_CIRCUIT_OPEN' });
    expect(Date.now() - started).toBeLessThan(50);
    expect(onfido.requests).toHaveLength(3);
  });

  it('lets one trial through after the cool-down (half-open) and closes on its success', async () => {
    onfido.down = true;
    const breaker = client({ attempts: 1, failureThreshold: 2, coolDownMs: 200 });
    await failure(breaker.check(CHECK_ID));
    await failure(breaker.check(CHECK_ID));
    expect(breaker.circuit).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(breaker.circuit).toBe('half_open');
    onfido.down = false;
    expect(await breaker.lookup({ provider: 'onfido', resource: 'check', id: CHECK_ID })).toMatchObject({ applicant: { id: APPLICANT_ID } });
    expect(breaker.circuit).toBe('closed');
  });

  it('re-opens at once when the half-open trial fails, and admits only that one trial', async () => {
    onfido.down = true;
    const breaker = client({ attempts: 1, failureThreshold: 2, coolDownMs: 200 });
    await failure(breaker.check(CHECK_ID));
    await failure(breaker.check(CHECK_ID));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const [trial, other] = await Promise.all([failure(breaker.check(CHECK_ID)), failure(breaker.check(CHECK_ID))]);
    expect(trial).toMatchObject({ code: 'ONFIDO_API_UNAVAILABLE' });
    expect(other).toMatchObject({ code: 'ONFIDO_CIRCUIT_OPEN' });
    expect(breaker.circuit).toBe('open');
    expect(onfido.requests).toHaveLength(3);
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  describe('in WebhookIntake', () => {
    const onfidoEvent = (): DomainEvent<WebhookReceivedData> =>
      newEvent<WebhookReceivedData>({
        type: EventTypes.WebhookReceived,
        source: EventSources.WebhookGateway,
        subject: CHECK_ID,
        data: {
          source: 'onfido',
          scheme: 'onfido',
          receivedAt: new Date().toISOString(),
          deliveryId: 'delivery-1',
          sessionId: CHECK_ID,
          payload: JSON.parse(readFileSync(join(FIXTURES_DIR, 'providers', 'onfido', 'check-completed.json'), 'utf8')),
        },
      });
    const recorded: ReportToRecord[] = [];
    const recorder = { recordAll: async (_m: unknown, items: ReportToRecord[]) => (recorded.push(...items), items.map(() => 'transition')) } as unknown as VerificationRecorder;
    beforeEach(() => {
      recorded.length = 0;
    });

    it('completes an Onfido webhook from the API before recording it', async () => {
      await new WebhookIntake(recorder, null, [client()]).receiveAll([onfidoEvent(), onfidoEvent()], {} as never);
      expect(recorded.map((r) => r.report)).toEqual([
        expect.objectContaining({ status: 'approved', subjectRef: APPLICANT_ID, decision: expect.objectContaining({ identity: expect.objectContaining({ fullName: 'Camille Durand' }) }) }),
        expect.objectContaining({ status: 'approved' }),
      ]);
      // The same check twice in one batch is fetched once.
      expect(onfido.requests).toHaveLength(2);
    });

    it('fails the batch with the retryable API error (not a PermanentEventError) when Onfido is down', async () => {
      onfido.down = true;
      const err = await failure(new WebhookIntake(recorder, null, [client({ attempts: 1 })]).receiveAll([onfidoEvent()], {} as never));
      expect(err).toBeInstanceOf(OnfidoApiError);
      expect(err).not.toBeInstanceOf(PermanentEventError);
      expect(recorded).toHaveLength(0);
    });

    it('records status only, without identity, when no ONFIDO_API_TOKEN is configured', async () => {
      await new WebhookIntake(recorder, null, [new OnfidoClient({ baseUrl })]).receiveAll([onfidoEvent()], {} as never);
      expect(recorded[0].report).toMatchObject({ status: 'in_review', providerStatus: 'complete' });
      expect(recorded[0].report.decision).toBeUndefined();
      expect(onfido.requests).toHaveLength(0);
    });
  });
});

describe('KycResultsConfig: Onfido', () => {
  const base = { KAFKA_BROKERS: '127.0.0.1:9092', PII_ENCRYPTION_KEY: randomBytes(32).toString('base64') };

  it('has no token by default (Onfido webhooks read status only) and the EU API as base URL', () => {
    const config = loadConfig(KycResultsConfig, 'kyc-results', base);
    expect(config.ONFIDO_API_TOKEN).toBeUndefined();
    expect(config.ONFIDO_BASE_URL).toBe('https://api.eu.onfido.com');
    expect(OnfidoClient.fromConfig(config).enabled).toBe(false);
    expect(OnfidoClient.fromConfig(loadConfig(KycResultsConfig, 'kyc-results', { ...base, ONFIDO_API_TOKEN: TOKEN })).enabled).toBe(true);
  });

  it('refuses a base URL that is not http(s) and a token with spaces, without echoing the token', () => {
    expect(configProblems(KycResultsConfig, { ...base, ONFIDO_BASE_URL: 'api.onfido.com' })).toEqual([expect.stringContaining('ONFIDO_BASE_URL must be an http(s) URL')]);
    const found = configProblems(KycResultsConfig, { ...base, ONFIDO_API_TOKEN: 'short token' });
    expect(found).toEqual([expect.stringContaining('ONFIDO_API_TOKEN must be at least 16 characters')]);
    expect(found.join()).not.toContain('short token');
  });
});
