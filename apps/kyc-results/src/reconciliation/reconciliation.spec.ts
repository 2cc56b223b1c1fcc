import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Topics, type DomainEvent, type WebhookReceivedData } from '@compliance/contracts';
import { TopicReader } from '@compliance/messaging/testing';
import { TEST_API_KEYS } from '@compliance/platform/testing';
import { diditPayload } from '@compliance/testing';
import { waitFor } from '@compliance/testing';
import { newSession, sessionReport, statusOnly } from '../../test/didit-reports';
import { gatewayEvent, startKycResults, type KycHarness } from '../../test/kyc-harness';
import { retryAfterMs } from './didit-api.client';
import { ReconciliationService } from './reconciliation.service';

const API_KEY = 'didit-api-key-for-tests-0001';
const nowSec = () => Math.floor(Date.now() / 1000);

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

  beforeAll(async () => {
    const baseUrl = await api.start();
    kyc = await startKycResults('reconcile', {
      env: { DIDIT_API_KEY: API_KEY, DIDIT_BASE_URL: baseUrl, RECONCILE_AFTER_SEC: '2', RECONCILE_INTERVAL_MS: '250', RECONCILE_MAX_REQUESTS_PER_MIN: '600' },
    });
    inbound = await new TopicReader(kyc.namespace, [Topics.WebhooksInbound]).start();
  });

  afterAll(async () => {
    await inbound?.stop();
    await kyc?.stop();
    await api.stop();
  });

  it('brings a session whose final webhook never came to its final state, once, and records the late webhook as stale', async () => {
    const session = newSession();
    const startedAt = nowSec() - 60;
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
  });

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
