import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { EventSources, EventTypes, fingerprintOf, newEvent, newTraceparent, Topics, webhookEventId, type DomainEvent, type WebhookReceivedData } from '@compliance/contracts';
import { OutboxRelay } from '@compliance/messaging';
import { TopicReader } from '@compliance/messaging/testing';
import { TEST_API_KEYS } from '@compliance/platform/testing';
import { diditPayload, FIXTURES_DIR } from '@compliance/testing';
import { waitFor } from '@compliance/testing';
import { newSession, sessionReport, statusOnly } from '../../test/didit-reports';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';
import { KycResultsConfig } from '../kyc-results.config';
import { ErasureTombstones } from '../retention/erasure-tombstones';
import { retryAfterMs } from './didit-api.client';
import { ReconciliationService } from './reconciliation.service';

const API_KEY = 'didit-api-key-for-tests-0001';
const VERIFF_API_KEY = '6c5a3f2e-0b1d-4e8a-9f7c-2d4b6a8c0e1f';
const VERIFF_SHARED_SECRET = 'veriff-shared-secret-for-tests-01';
const PERSONA_API_KEY = 'persona_sandbox_reconcile-key-0123';
const SUMSUB_APP_TOKEN = 'sbx:reconcile-app-token-0123456789';
const SUMSUB_SECRET_KEY = 'reconcile-secret-key-0123456789ab';
const ONFIDO_TOKEN = 'api_sandbox.reconcile-token-0123';
const nowSec = () => Math.floor(Date.now() / 1000);

type Payload = Record<string, any>;
const fixture = (path: string): Payload => JSON.parse(readFileSync(join(FIXTURES_DIR, 'providers', `${path}.json`), 'utf8'));
const iso = (unixSec: number) => new Date(unixSec * 1000).toISOString();

/** The value of a counter series in the /metrics text (labels in any order), 0 when absent. */
function counter(metrics: string, name: string, labels: Record<string, string>): number {
  for (const line of metrics.split('\n')) {
    const m = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (!m) continue;
    const found = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[2]);
  }
  return 0;
}

/**
 * One provider's API as the reconciler (and kyc-results' webhook intake) call it: `answer` maps a
 * request to a status and body, or undefined for 404; a request whose credentials `authentic` refuses
 * gets 401. Every request is recorded with its arrival time.
 */
class FakeProviderApi {
  readonly calls: Array<{ path: string; at: number }> = [];
  private server?: Server;

  constructor(
    private readonly authentic: (req: IncomingMessage) => boolean,
    private readonly answer: (path: string) => unknown,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      this.calls.push({ path, at: Date.now() });
      const body = this.authentic(req) ? this.answer(path) : { error: 'unauthorised' };
      const status = !this.authentic(req) ? 401 : body === undefined ? 404 : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { errors: [{ title: 'Not found' }] }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** What the gateway publishes for a verified webhook of a provider. */
function received(payload: Payload, provider: string, sessionId: string): DomainEvent<WebhookReceivedData> {
  const fingerprint = fingerprintOf(payload);
  const event = newEvent<WebhookReceivedData>({
    type: EventTypes.WebhookReceived,
    source: EventSources.WebhookGateway,
    subject: sessionId,
    id: webhookEventId(provider, fingerprint),
    data: { source: provider, scheme: provider, receivedAt: new Date().toISOString(), deliveryId: randomUUID(), fingerprint, sessionId, payload },
  });
  return { ...event, traceparent: newTraceparent() };
}

/**
 * The state of each provider's sessions behind the fake APIs (what their decision endpoints answer),
 * keyed by session id.
 */
const veriffDecisions = new Map<string, Payload | null>();
const personaInquiries = new Map<string, Payload>();
const sumsubApplicants = new Map<string, Payload>();
const onfidoChecks = new Map<string, Payload>();

const veriffApi = new FakeProviderApi(
  (req) => {
    // Veriff signs a GET over the session id in the path: recomputed here independently.
    const id = decodeURIComponent(/^\/v1\/sessions\/([^/]+)\/decision$/.exec(req.url ?? '')?.[1] ?? '');
    return req.headers['x-auth-client'] === VERIFF_API_KEY && req.headers['x-hmac-signature'] === createHmac('sha256', VERIFF_SHARED_SECRET).update(id).digest('hex');
  },
  (path) => {
    const id = decodeURIComponent(/^\/v1\/sessions\/([^/]+)\/decision$/.exec(path)?.[1] ?? '');
    return veriffDecisions.has(id) ? { status: 'success', verification: veriffDecisions.get(id), technicalData: { ip: null } } : undefined;
  },
);
const personaApi = new FakeProviderApi(
  (req) => req.headers.authorization === `Bearer ${PERSONA_API_KEY}`,
  (path) => {
    const inquiry = personaInquiries.get(decodeURIComponent(/^\/api\/v1\/inquiries\/([^/?]+)$/.exec(path)?.[1] ?? ''));
    return inquiry ? { data: inquiry, included: [] } : undefined;
  },
);
const sumsubApi = new FakeProviderApi(
  (req) => {
    const signed = createHmac('sha256', SUMSUB_SECRET_KEY).update(`${String(req.headers['x-app-access-ts'])}${req.method}${req.url}`).digest('hex');
    return req.headers['x-app-token'] === SUMSUB_APP_TOKEN && req.headers['x-app-access-sig'] === signed;
  },
  (path) => sumsubApplicants.get(decodeURIComponent(/^\/resources\/applicants\/([^/]+)\/one$/.exec(path)?.[1] ?? '')),
);
const onfidoApi = new FakeProviderApi(
  (req) => req.headers.authorization === `Token token=${ONFIDO_TOKEN}`,
  (path) => {
    const check = /^\/v3\.6\/checks\/([^/]+)$/.exec(path);
    if (check) return onfidoChecks.get(decodeURIComponent(check[1]));
    return path === '/v3.6/applicants/a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d' ? fixture('onfido/api/applicant') : undefined;
  },
);

/**
 * Each provider's story: a session stuck in a non-final status (its API answering so), the final
 * decision the API answers later, the final webhook that arrives late, and the person it carries.
 */
interface ProviderStory {
  provider: string;
  api: FakeProviderApi;
  newSession(): { sessionId: string; subjectRef: string };
  /** The webhook that left the session non-final, at `at` (unix s); the API answers the same. */
  stuck(session: { sessionId: string; subjectRef: string }, at: number): Payload;
  /** The API decides (its webhook is lost). */
  decide(session: { sessionId: string; subjectRef: string }): void;
  /** The lost webhook, delivered late with its (earlier) decision time. */
  late(session: { sessionId: string; subjectRef: string }, at: number): Payload;
  status: string;
  providerStatus: string;
  previousStatus: string;
  fullName: string;
}

const subject = () => `customer-${randomUUID().slice(0, 8)}`;

const STORIES: ProviderStory[] = [
  {
    provider: 'veriff',
    api: veriffApi,
    newSession: () => ({ sessionId: randomUUID(), subjectRef: subject() }),
    stuck({ sessionId, subjectRef }, at) {
      veriffDecisions.set(sessionId, null);
      const payload = fixture('veriff/decision-resubmission-requested');
      Object.assign(payload.verification, { id: sessionId, vendorData: subjectRef, decisionTime: iso(at), acceptanceTime: iso(at - 60) });
      return payload;
    },
    decide({ sessionId, subjectRef }) {
      veriffDecisions.set(sessionId, { ...fixture('veriff/decision-approved').verification, id: sessionId, vendorData: subjectRef });
    },
    late({ sessionId, subjectRef }, at) {
      const payload = fixture('veriff/decision-approved');
      Object.assign(payload.verification, { id: sessionId, vendorData: subjectRef, decisionTime: iso(at) });
      return payload;
    },
    status: 'approved',
    providerStatus: 'approved',
    previousStatus: 'resubmitted',
    fullName: 'Sarah Morgan',
  },
  {
    provider: 'persona',
    api: personaApi,
    newSession: () => ({ sessionId: `inq_${randomBytes(12).toString('hex')}`, subjectRef: subject() }),
    stuck({ sessionId, subjectRef }, at) {
      const payload = fixture('persona/inquiry-approved');
      payload.data.attributes.name = 'inquiry.started';
      payload.data.attributes['created-at'] = iso(at);
      const inquiry = payload.data.attributes.payload.data;
      Object.assign(inquiry, { id: sessionId });
      Object.assign(inquiry.attributes, { status: 'pending', 'reference-id': subjectRef });
      personaInquiries.set(sessionId, inquiry);
      return payload;
    },
    decide({ sessionId, subjectRef }) {
      const inquiry = fixture('persona/inquiry-approved').data.attributes.payload.data;
      Object.assign(inquiry, { id: sessionId });
      Object.assign(inquiry.attributes, { status: 'approved', 'reference-id': subjectRef });
      personaInquiries.set(sessionId, inquiry);
    },
    late({ sessionId, subjectRef }, at) {
      const payload = fixture('persona/inquiry-approved');
      payload.data.attributes['created-at'] = iso(at);
      Object.assign(payload.data.attributes.payload.data, { id: sessionId });
      payload.data.attributes.payload.data.attributes['reference-id'] = subjectRef;
      return payload;
    },
    status: 'approved',
    providerStatus: 'approved',
    previousStatus: 'in_progress',
    fullName: 'Jane Marie Doe',
  },
  {
    provider: 'sumsub',
    api: sumsubApi,
    newSession: () => ({ sessionId: randomBytes(12).toString('hex'), subjectRef: subject() }),
    stuck({ sessionId, subjectRef }, at) {
      const applicant = fixture('sumsub/applicant');
      sumsubApplicants.set(sessionId, { ...applicant, id: sessionId, externalUserId: subjectRef, review: { ...applicant.review, reviewStatus: 'pending', reviewResult: undefined } });
      return { ...fixture('sumsub/applicant-pending'), applicantId: sessionId, externalUserId: subjectRef, createdAtMs: at * 1000 };
    },
    decide({ sessionId, subjectRef }) {
      sumsubApplicants.set(sessionId, { ...fixture('sumsub/applicant'), id: sessionId, externalUserId: subjectRef });
    },
    late({ sessionId, subjectRef }, at) {
      return { ...fixture('sumsub/applicant-reviewed-green'), applicantId: sessionId, externalUserId: subjectRef, createdAtMs: at * 1000 };
    },
    status: 'approved',
    providerStatus: 'GREEN',
    previousStatus: 'in_review',
    fullName: 'Mattias Erik Lindqvist',
  },
  {
    provider: 'onfido',
    api: onfidoApi,
    // Onfido's applicants carry no reference of ours: the applicant is the subject.
    newSession: () => ({ sessionId: randomUUID(), subjectRef: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d' }),
    stuck({ sessionId }, at) {
      onfidoChecks.set(sessionId, { ...fixture('onfido/api/check'), id: sessionId, status: 'in_progress', result: null });
      const payload = fixture('onfido/check-started');
      Object.assign(payload.payload.object, { id: sessionId, started_at_iso8601: iso(at) });
      return payload;
    },
    decide({ sessionId }) {
      onfidoChecks.set(sessionId, { ...fixture('onfido/api/check'), id: sessionId });
    },
    late({ sessionId }, at) {
      const payload = fixture('onfido/check-completed');
      Object.assign(payload.payload.object, { id: sessionId, completed_at_iso8601: iso(at) });
      return payload;
    },
    status: 'approved',
    providerStatus: 'clear',
    previousStatus: 'in_progress',
    fullName: 'Camille Durand',
  },
];

/** Didit's session API as the reconciler calls it: decisions by session id, and a list of recent sessions. */
class FakeDiditApi {
  readonly decisions = new Map<string, Record<string, unknown>>();
  listed: Array<Record<string, unknown>> = [];
  readonly calls: Array<{ path: string; apiKey?: string; at: number }> = [];
  /** Answers 429 with this Retry-After to the next decision read. */
  throttleNext?: string;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  decisionCalls(sessionId: string) {
    return this.calls.filter((c) => c.path === `/v3/session/${sessionId}/decision/`);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    this.calls.push({ path, apiKey: req.headers['x-api-key'] as string | undefined, at: Date.now() });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-api-key'] !== API_KEY) return json(403, { detail: 'Invalid API key' });
    if (path === '/v3/sessions') return json(200, { count: this.listed.length, next: null, previous: null, results: this.listed });
    const m = /^\/v3\/session\/([^/]+)\/decision\/$/.exec(path);
    if (!m) return json(404, { detail: 'Not found' });
    if (this.throttleNext) {
      const retryAfter = this.throttleNext;
      this.throttleNext = undefined;
      return json(429, { detail: 'Request was throttled' }, { 'retry-after': retryAfter });
    }
    const decision = this.decisions.get(decodeURIComponent(m[1]));
    return decision ? json(200, decision) : json(404, { detail: 'Not found' });
  }
}

/** What Didit's decision API returns for a session: the v3 decision of a fixture, addressed to the session. */
function apiDecision(fixture: 'v3-approved' | 'v2-declined' | 'v3-in-progress', session: { sessionId: string; subjectRef: string }, status?: string): Record<string, unknown> {
  const payload = diditPayload(fixture) as Record<string, any>;
  return { ...(payload.decision ?? {}), session_id: session.sessionId, session_kind: 'user', vendor_data: session.subjectRef, workflow_id: payload.workflow_id, status: status ?? payload.status };
}

describe('reconciliation with the provider API (real Kafka, real Postgres, a fake Didit API)', () => {
  const api = new FakeDiditApi();
  let kyc: KycHarness;
  let inbound: TopicReader;
  const reconciled = (sessionId: string) =>
    inbound.events(Topics.WebhooksInbound).filter((e): e is DomainEvent<WebhookReceivedData> => (e.data as WebhookReceivedData).sessionId === sessionId && (e.data as WebhookReceivedData).origin === 'reconciliation');

  const metrics = async () => String((await kyc.api('/metrics')).body);

  beforeAll(async () => {
    const [baseUrl, veriffUrl, personaUrl, sumsubUrl, onfidoUrl] = await Promise.all([api.start(), veriffApi.start(), personaApi.start(), sumsubApi.start(), onfidoApi.start()]);
    kyc = await startKycResults('reconcile', {
      env: {
        DIDIT_API_KEY: API_KEY,
        DIDIT_BASE_URL: baseUrl,
        VERIFF_API_KEY,
        VERIFF_SHARED_SECRET,
        VERIFF_BASE_URL: veriffUrl,
        PERSONA_API_KEY,
        PERSONA_BASE_URL: personaUrl,
        SUMSUB_APP_TOKEN,
        SUMSUB_SECRET_KEY,
        SUMSUB_BASE_URL: sumsubUrl,
        ONFIDO_API_TOKEN: ONFIDO_TOKEN,
        ONFIDO_BASE_URL: onfidoUrl,
        RECONCILE_AFTER_SEC: '2',
        RECONCILE_INTERVAL_MS: '250',
        RECONCILE_MAX_REQUESTS_PER_MIN: '600',
      },
    });
    inbound = await new TopicReader(kyc.namespace, [Topics.WebhooksInbound]).start();
  });

  afterAll(async () => {
    await inbound?.stop();
    await kyc?.stop();
    await Promise.all([api.stop(), veriffApi.stop(), personaApi.stop(), sumsubApi.stop(), onfidoApi.stop()]);
  });

  it('reads every provider whose API is configured', () => {
    expect(kyc.get(ReconciliationService).sources.map((s) => s.provider).sort()).toEqual(['didit', 'onfido', 'persona', 'sumsub', 'veriff']);
  });

  it('brings a session whose final webhook never came to its final state, once, and records the late webhook as stale', async () => {
    const session = newSession();
    const startedAt = nowSec() - 60;
    const before = await metrics();
    await kyc.deliver(gatewayEvent(statusOnly('In Progress', session, startedAt)));
    await kyc.historyCount(session.sessionId, 1);
    expect((await kyc.api(`/verifications/${session.sessionId}`, TEST_API_KEYS.admin)).body.status).toBe('in_progress');

    // Didit decided; its webhook was lost. The reconciler finds the session stale and asks.
    const decidedAt = Date.now();
    api.decisions.set(session.sessionId, apiDecision('v3-approved', session, 'Approved'));
    const [approved] = await kyc.waitForEvents(session.sessionId, 2).then((events) => events.filter((e) => e.type === 'kyc.verification.approved'));
    expect(approved).toBeDefined();
    // Within the configured time: the session was already stale, so the next runs (every 250 ms) take it.
    expect(Date.now() - decidedAt).toBeLessThan(15_000);
    expect(approved.data).toMatchObject({ sessionId: session.sessionId, subjectRef: session.subjectRef, status: 'approved', previousStatus: 'in_progress', identity: { fullName: 'Ana Núñez García' } });
    expect(api.decisionCalls(session.sessionId).every((c) => c.apiKey === API_KEY)).toBe(true);

    // It entered the flow as a webhook does, its origin marked; the payload is the decision the API returned.
    const [received] = await waitFor(() => (reconciled(session.sessionId).length ? reconciled(session.sessionId) : undefined), { what: 'the reconciled webhook.received' });
    expect(received.data).toMatchObject({ source: 'didit', scheme: 'didit', origin: 'reconciliation', status: 'Approved', webhookType: 'status.updated', subjectRef: session.subjectRef });
    expect(received.data.deliveryId).toBe(`reconciliation:${session.sessionId}:Approved`);

    // Didit's own webhook arrives late (event time before the check): stale, no second transition.
    await kyc.deliver(gatewayEvent(sessionReport('v3-approved', session, startedAt + 30)));
    await kyc.historyCount(session.sessionId, 3);
    const view = (await kyc.api(`/verifications/${session.sessionId}`, TEST_API_KEYS.admin)).body;
    expect(view.status).toBe('approved');
    expect(view.history.map((h: { outcome: string }) => h.outcome).sort()).toEqual(['stale', 'transition', 'transition']);

    // Later runs check nothing more for it (final now) and put nothing else in.
    const runs = kyc.get(ReconciliationService).completed;
    await waitFor(() => kyc.get(ReconciliationService).completed >= runs + 3, { what: 'three more reconciliation runs' });
    expect(kyc.verificationEvents(session.sessionId).filter((e) => e.type === 'kyc.verification.approved')).toHaveLength(1);
    expect(reconciled(session.sessionId)).toHaveLength(1);
    const [check] = await kyc.query('SELECT last_outcome FROM reconciliation_checks WHERE session_id = $1', [session.sessionId]);
    expect(check.last_outcome).toBe('reconciled');

    // Counted: one check that reconciled, one transition put in for a stale session.
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) => counter(after, name, labels) - counter(before, name, labels);
    expect(delta('kyc_results_reconciliation_checks_total', { provider: 'didit', outcome: 'reconciled' })).toBe(1);
    expect(delta('kyc_results_reconciled_total', { provider: 'didit', reason: 'stale' })).toBe(1);
    expect(delta('kyc_results_reconciled_total', { provider: 'didit', reason: 'unknown' })).toBe(0);
  });

  it('reconciles a session of a person erased here with routing fields only: nothing of the API answer goes back onto the topic', async () => {
    const session = newSession();
    await kyc.deliver(gatewayEvent(statusOnly('In Progress', session, nowSec() - 60)));
    await kyc.historyCount(session.sessionId, 1);
    // The person was erased here (the erasure's tombstone), the session still in progress.
    await kyc.get(DataSource).transaction((m) => kyc.get(ErasureTombstones).record(m, randomUUID(), session.subjectRef, [session.sessionId]));

    api.decisions.set(session.sessionId, apiDecision('v3-approved', session, 'Approved'));
    const [received] = await waitFor(() => (reconciled(session.sessionId).length ? reconciled(session.sessionId) : undefined), { what: 'the reconciled webhook.received' });
    expect(received.data).toMatchObject({ origin: 'reconciliation', status: 'Approved', sessionId: session.sessionId, subjectRef: session.subjectRef, redacted: true, payload: {} });
    expect(received.datakeyid).toBeUndefined();
    expect(JSON.stringify(received.data)).not.toContain('Núñez');
    // The status still moves, without the person (kyc-results' tombstone path).
    await waitFor(async () => (await kyc.api(`/verifications/${session.sessionId}`, TEST_API_KEYS.admin)).body.status === 'approved', { what: 'the erased session approved' });
    const view = (await kyc.api(`/verifications/${session.sessionId}`, TEST_API_KEYS.admin)).body;
    expect(view.identity ?? null).toBeNull();
  });

  it.each(STORIES.map((story) => [story.provider, story] as const))(
    'brings a session of %s whose final webhook never came to its final state through the decision API, once, the late webhook recorded as stale',
    async (provider, story) => {
      const session = story.newSession();
      const startedAt = nowSec() - 60;
      const before = await metrics();
      await kyc.deliver(received(story.stuck(session, startedAt), provider, session.sessionId));
      await kyc.historyCount(session.sessionId, 1);
      expect((await kyc.api(`/verifications/${session.sessionId}`, TEST_API_KEYS.admin)).body.status).toBe(story.previousStatus);

      // The provider decided; its webhook was lost. The reconciler asks its API and puts the transition in.
      const decidedAt = Date.now();
      story.decide(session);
      const approved = await waitFor(() => kyc.verificationEvents(session.sessionId).find((e) => e.type === `kyc.verification.${story.status}`), {
        what: `kyc.verification.${story.status} of the ${provider} session`,
      });
      expect(Date.now() - decidedAt).toBeLessThan(15_000);
      expect(approved.data).toMatchObject({ sessionId: session.sessionId, subjectRef: session.subjectRef, provider, status: story.status, previousStatus: story.previousStatus, identity: { fullName: story.fullName } });
      const [reconciledEvent] = await waitFor(() => (reconciled(session.sessionId).length ? reconciled(session.sessionId) : undefined), { what: 'the reconciled webhook.received' });
      expect(reconciledEvent.data).toMatchObject({ source: provider, scheme: provider, origin: 'reconciliation', status: story.providerStatus });
      expect(reconciledEvent.data.deliveryId).toBe(`reconciliation:${session.sessionId}:${story.providerStatus}`);

      // The lost webhook arrives after all, with its earlier decision time: stale, nothing changes.
      await kyc.deliver(received(story.late(session, startedAt + 30), provider, session.sessionId));
      await kyc.historyCount(session.sessionId, 3);
      const view = (await kyc.api(`/verifications/${session.sessionId}`, TEST_API_KEYS.admin)).body;
      expect(view.status).toBe(story.status);
      expect(view.history.map((h: { outcome: string }) => h.outcome).sort()).toEqual(['stale', 'transition', 'transition']);

      const runs = kyc.get(ReconciliationService).completed;
      await waitFor(() => kyc.get(ReconciliationService).completed >= runs + 3, { what: 'three more reconciliation runs' });
      expect(kyc.verificationEvents(session.sessionId).filter((e) => e.type === `kyc.verification.${story.status}`)).toHaveLength(1);
      expect(reconciled(session.sessionId)).toHaveLength(1);

      const after = await metrics();
      const delta = (name: string, labels: Record<string, string>) => counter(after, name, labels) - counter(before, name, labels);
      expect(delta('kyc_results_reconciliation_checks_total', { provider, outcome: 'reconciled' })).toBe(1);
      expect(delta('kyc_results_reconciled_total', { provider, reason: 'stale' })).toBe(1);
    },
  );

  it('leaves a session alone while the provider reports the status it already has, and checks it again only after the delay', async () => {
    const session = newSession();
    await kyc.deliver(gatewayEvent(statusOnly('In Review', session, nowSec() - 60)));
    await kyc.historyCount(session.sessionId, 1);
    api.decisions.set(session.sessionId, apiDecision('v3-in-progress', session, 'In Review'));
    await waitFor(() => api.decisionCalls(session.sessionId).length >= 1, { what: 'a decision read' });
    const runs = kyc.get(ReconciliationService).completed;
    await waitFor(() => kyc.get(ReconciliationService).completed >= runs + 3, { what: 'three more runs' });
    // RECONCILE_AFTER_SEC = 2: at most one more read in that time, not one per 250 ms run.
    expect(api.decisionCalls(session.sessionId).length).toBeLessThanOrEqual(2);
    const [check] = await kyc.query('SELECT last_outcome FROM reconciliation_checks WHERE session_id = $1', [session.sessionId]);
    expect(check.last_outcome).toBe('unchanged');
    expect(reconciled(session.sessionId)).toHaveLength(0);
    expect(kyc.verificationEvents(session.sessionId)).toHaveLength(1);
  });

  it('records a session Didit lists that no webhook announced, and waits for a throttled API', async () => {
    const session = newSession();
    api.throttleNext = '1';
    api.decisions.set(session.sessionId, apiDecision('v2-declined', session, 'Declined'));
    api.listed = [{ session_id: session.sessionId, status: 'Declined', vendor_data: session.subjectRef, created_at: new Date(Date.now() - 120_000).toISOString() }];
    const [declined] = await kyc.waitForEvents(session.sessionId, 1);
    expect(declined).toMatchObject({ type: 'kyc.verification.declined', data: { status: 'declined', previousStatus: null } });
    const reads = api.decisionCalls(session.sessionId);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads[1].at - reads[0].at).toBeGreaterThanOrEqual(950);
    const [emitted] = await kyc.query('SELECT reason FROM reconciliation_emitted WHERE session_id = $1', [session.sessionId]);
    expect(emitted.reason).toBe('unknown');
    // Listed again at every run: known now, not read again.
    const runs = kyc.get(ReconciliationService).completed;
    await waitFor(() => kyc.get(ReconciliationService).completed >= runs + 2, { what: 'two more runs' });
    expect(api.decisionCalls(session.sessionId)).toHaveLength(reads.length);
    api.listed = [];
  });

  it('does not list a session created after the delay (its webhook may still come) or one Didit does not know', async () => {
    const fresh = { sessionId: randomUUID(), subjectRef: 'customer-fresh' };
    api.listed = [{ session_id: fresh.sessionId, status: 'Approved', vendor_data: fresh.subjectRef, created_at: new Date().toISOString() }];
    const gone = newSession();
    await kyc.deliver(gatewayEvent(statusOnly('In Progress', gone, nowSec() - 60)));
    await waitFor(async () => (await kyc.query("SELECT 1 FROM reconciliation_checks WHERE session_id = $1 AND last_outcome = 'not_found'", [gone.sessionId])).length === 1, {
      what: 'the unknown session checked',
    });
    expect(api.decisionCalls(fresh.sessionId)).toHaveLength(0);
    api.listed = [];
  });

  it('keeps the calls of two more reconciler instances and the app\'s own (every 250 ms), together, within RECONCILE_MAX_REQUESTS_PER_MIN', async () => {
    // Sessions Didit lists that are unknown here and that it answers 404 for: every run of every
    // instance reads them all again, so the instances call at the same time.
    api.listed = Array.from({ length: 5 }, () => ({ session_id: randomUUID(), status: 'In Progress', created_at: new Date(Date.now() - 120_000).toISOString() }));
    const logger = { info: () => undefined, warn: () => undefined } as unknown as PinoLogger;
    const replica = () => new ReconciliationService(kyc.get(KycResultsConfig), kyc.get(DataSource), kyc.get(OutboxRelay), logger, kyc.get(ErasureTombstones));
    const from = Date.now();
    await Promise.all([replica().runOnce(), replica().runOnce()]);
    api.listed = [];
    const at = api.calls.filter((c) => c.at >= from).map((c) => c.at).sort((a, b) => a - b);
    // Two instances alone make 2 x (1 listing + 5 reads).
    expect(at.length).toBeGreaterThanOrEqual(12);
    // 600 a minute: no 11 calls within a second. A call leaves when its slot comes, but on a busy machine
    // one may arrive a few hundred ms late and the next on time; three instances each pacing alone would
    // put 11 calls within about 330 ms.
    for (let i = 0; i + 10 < at.length; i++) expect(at[i + 10] - at[i]).toBeGreaterThanOrEqual(700);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, within one second and one minute', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('0')).toBe(1000);
    expect(retryAfterMs('3600')).toBe(60_000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs('soon')).toBe(1000);
    expect(retryAfterMs(null)).toBe(1000);
  });
});
