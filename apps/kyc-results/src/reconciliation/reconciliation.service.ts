import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PinoLogger } from 'nestjs-pino';
import { Counter } from 'prom-client';
import {
  EventSources,
  EventTypes,
  fingerprintOf,
  KYC_TERMINAL_STATUSES,
  newEvent,
  Topics,
  webhookEventId,
  type WebhookReceivedData,
} from '@compliance/contracts';
import { addToOutbox, OutboxRelay } from '@compliance/messaging';
import { metricOnce } from '@compliance/observability';
import { firstOf, KycResultsConfig } from '../kyc-results.config';
import { OnfidoClient } from '../providers/onfido-client';
import { PersonaClient } from '../providers/persona-client';
import { SumsubClient } from '../providers/sumsub-client';
import { VeriffClient } from '../providers/veriff-client';
import { ErasureTombstones } from '../retention/erasure-tombstones';
import {
  DiditDecisionSource,
  OnfidoDecisionSource,
  PersonaDecisionSource,
  SumsubDecisionSource,
  VeriffDecisionSource,
  type DecisionSource,
  type ProviderWebhook,
  type Reading,
  type SessionToCheck,
} from './decision-sources';
import { DiditApiClient } from './didit-api.client';
import { SharedRateLimit } from './shared-rate-limit';

const reconciliationMetrics = {
  checks: metricOnce(
    'kyc_results_reconciliation_checks_total',
    () =>
      new Counter({
        name: 'kyc_results_reconciliation_checks_total',
        help: "Sessions checked against the provider's API, by outcome (unchanged, reconciled, not_found, unrecognised, api_failed)",
        labelNames: ['provider', 'outcome'],
      }),
  ),
  reconciled: metricOnce(
    'kyc_results_reconciled_total',
    () =>
      new Counter({
        name: 'kyc_results_reconciled_total',
        help: 'Transitions put into the flow by the reconciler: stale (a session no webhook moved on) or unknown (a session no webhook announced)',
        labelNames: ['provider', 'reason'],
      }),
  ),
};

/** Sessions checked per run and provider, and unknown sessions taken from one listing. */
const BATCH = 50;
/**
 * A session the provider still shows in the same status (or does not know) is checked again after the
 * delay, then after twice it, four times…, at most this many delays apart: a session in review for
 * days costs a few calls a day, not one per delay.
 */
const MAX_BACKOFF = 24;

type Outcome = 'unchanged' | 'reconciled' | 'not_found' | 'unrecognised' | 'api_failed';
type Reason = 'stale' | 'unknown';

/** How the reconciler's provider clients call: a Retry-After up to a minute is waited for (no consumer is held meanwhile). */
const API_TIMING = { timeoutMs: 10_000, maxRetryAfterMs: 60_000 };

/**
 * Finds the transitions no webhook brought, from the providers' APIs: sessions that sat in a
 * non-final status longer than RECONCILE_AFTER_SEC are read from their provider's decision API
 * (Didit, Sumsub, Onfido, Veriff, Persona: each when its API credentials are configured), and recent
 * sessions Didit lists that no webhook ever announced. A transition found enters the flow exactly as
 * a webhook does: a `webhook.received` (origin `reconciliation`) on webhooks.inbound.v1, through the
 * outbox, carrying the webhook the provider would have sent, so it is sealed, audited, deduplicated
 * and ordered like any other. Its event time is the moment of the check, so a real webhook arriving
 * late is older and recorded as stale: the session changes once.
 *
 * Several replicas may run it: a session is claimed for a check with a lease (one statement), a
 * (session, status) is put into the flow once (`reconciliation_emitted`), and each provider's rate
 * limit is shared through Postgres (SharedRateLimit).
 */
@Injectable()
export class ReconciliationService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Runs completed since start (tests wait on it). */
  completed = 0;
  /** The providers whose decision API is configured. */
  readonly sources: readonly DecisionSource[];
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly config: KycResultsConfig,
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly logger: PinoLogger,
    private readonly tombstones: ErasureTombstones,
  ) {
    const throttle = (provider: string) => new SharedRateLimit(dataSource, provider, config.RECONCILE_MAX_REQUESTS_PER_MIN, () => !this.stopped);
    const sources: DecisionSource[] = [];
    if (config.DIDIT_API_KEY) sources.push(new DiditDecisionSource(new DiditApiClient({ baseUrl: config.DIDIT_BASE_URL, apiKey: config.DIDIT_API_KEY, throttle: throttle('didit') })));
    if (config.SUMSUB_APP_TOKEN && config.SUMSUB_SECRET_KEY) {
      const client = new SumsubClient({ baseUrl: config.SUMSUB_BASE_URL, appToken: config.SUMSUB_APP_TOKEN, secretKey: config.SUMSUB_SECRET_KEY, throttle: throttle('sumsub'), ...API_TIMING });
      sources.push(new SumsubDecisionSource(client));
    }
    if (config.ONFIDO_API_TOKEN) sources.push(new OnfidoDecisionSource(new OnfidoClient({ baseUrl: config.ONFIDO_BASE_URL, token: config.ONFIDO_API_TOKEN, throttle: throttle('onfido'), ...API_TIMING })));
    if (config.VERIFF_API_KEY && config.VERIFF_SHARED_SECRET) {
      const client = new VeriffClient({ baseUrl: config.VERIFF_BASE_URL, apiKey: firstOf(config.VERIFF_API_KEY), sharedSecret: firstOf(config.VERIFF_SHARED_SECRET), throttle: throttle('veriff'), ...API_TIMING });
      sources.push(new VeriffDecisionSource(client));
    }
    if (config.PERSONA_API_KEY) sources.push(new PersonaDecisionSource(new PersonaClient({ baseUrl: config.PERSONA_BASE_URL, apiKey: config.PERSONA_API_KEY, throttle: throttle('persona'), ...API_TIMING })));
    this.sources = sources;
  }

  get enabled(): boolean {
    return this.sources.length > 0;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.schedule(this.config.RECONCILE_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /**
   * One pass, the providers side by side (each has its own rate limit): for each, the stale sessions
   * due for a check, then the sessions it lists that are unknown here (Didit).
   */
  async runOnce(): Promise<void> {
    const runs = await Promise.allSettled(this.sources.map((source) => this.runProvider(source)));
    this.completed++;
    const failed = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async runProvider(source: DecisionSource): Promise<void> {
    for (const session of await this.claimStale(source.provider)) {
      if (this.stopped) return;
      await this.checkStale(source, session);
    }
    if (!this.stopped && source.listRecent) await this.findUnknown(source);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.runOnce()
        .catch((err) => this.logger.warn({ err: (err as Error).message }, 'reconciliation run failed, retried at the next'))
        .finally(() => {
          this.inFlight = undefined;
          this.schedule(this.config.RECONCILE_INTERVAL_MS);
        });
    }, delayMs);
  }

  /**
   * Claims the provider's stale sessions due for a check, in one statement; the lease (until the next
   * check, growing with each check) keeps other replicas off them. Each comes with the type of its
   * last report (Onfido: a check's or a workflow run's).
   */
  private async claimStale(provider: string): Promise<SessionToCheck[]> {
    const rows: Array<{ session_id: string; webhook_type: string | null }> = await this.dataSource.query(
      `WITH due AS (
         SELECT s.session_id FROM verification_sessions s
         LEFT JOIN reconciliation_checks c ON c.session_id = s.session_id
         WHERE s.provider = $5 AND s.erased_at IS NULL AND s.status <> ALL($1::text[])
           AND s.last_event_at < now() - make_interval(secs => $2)
           AND (c.next_check_at IS NULL OR c.next_check_at <= now())
         ORDER BY s.last_event_at LIMIT $3),
       claimed AS (
         INSERT INTO reconciliation_checks (session_id, provider, checks, next_check_at)
         SELECT session_id, $5, 1, now() + make_interval(secs => $2) FROM due
         ON CONFLICT (session_id) DO UPDATE SET checks = reconciliation_checks.checks + 1,
           next_check_at = now() + make_interval(secs => $2 * LEAST(power(2, reconciliation_checks.checks), $4))
           WHERE reconciliation_checks.next_check_at <= now()
         RETURNING session_id)
       SELECT c.session_id,
         (SELECT h.webhook_type FROM verification_status_history h WHERE h.session_id = c.session_id ORDER BY h.occurred_at DESC, h.id DESC LIMIT 1) AS webhook_type
       FROM claimed c`,
      [KYC_TERMINAL_STATUSES, this.config.RECONCILE_AFTER_SEC, BATCH, MAX_BACKOFF, provider],
    );
    return rows.map((r) => ({ sessionId: r.session_id, lastWebhookType: r.webhook_type ?? undefined }));
  }

  private async checkStale(source: DecisionSource, session: SessionToCheck): Promise<void> {
    const outcome = await this.reconcile(source, session, 'stale');
    await this.dataSource.query('UPDATE reconciliation_checks SET last_checked_at = now(), last_outcome = $2 WHERE session_id = $1', [session.sessionId, outcome]);
  }

  /** Recent sessions the provider lists, older than the reconcile delay (their webhook had time to come), that are unknown here. */
  private async findUnknown(source: DecisionSource): Promise<void> {
    const listed = await (source.listRecent as NonNullable<DecisionSource['listRecent']>)();
    if (listed.kind !== 'ok') {
      reconciliationMetrics.checks.inc({ provider: source.provider, outcome: listed.kind === 'not_found' ? 'not_found' : 'api_failed' });
      if (listed.kind === 'failed') this.logger.warn({ provider: source.provider, reason: listed.reason }, "listing the provider's sessions failed");
      return;
    }
    const cutoff = Date.now() - this.config.RECONCILE_AFTER_SEC * 1000;
    const candidates = listed.body.filter((s) => !s.created_at || Date.parse(s.created_at) < cutoff).map((s) => s.session_id);
    if (candidates.length === 0) return;
    const known: Array<{ session_id: string }> = await this.dataSource.query(
      `SELECT session_id FROM verification_sessions WHERE session_id = ANY($1::text[])
       UNION SELECT session_id FROM reconciliation_emitted WHERE session_id = ANY($1::text[])`,
      [candidates],
    );
    // A session or person erased here is not brought back from the provider's list.
    const subjects = listed.body.map((s) => s.vendor_data).filter((v): v is string => typeof v === 'string' && v !== '');
    const erased = await this.tombstones.erasedAmong(this.dataSource, { subjects, sessions: candidates });
    const subjectOf = new Map(listed.body.map((s) => [s.session_id, s.vendor_data ?? undefined]));
    const seen = new Set(known.map((k) => k.session_id));
    const unknown = candidates.filter((id) => !seen.has(id) && !erased.session(id) && !erased.subject(subjectOf.get(id)));
    for (const sessionId of unknown.slice(0, BATCH)) {
      if (this.stopped) return;
      await this.reconcile(source, { sessionId }, 'unknown');
    }
  }

  /** Reads the provider's decision, compares it with the session here and puts a missing transition into the flow. */
  private async reconcile(source: DecisionSource, session: SessionToCheck, reason: Reason): Promise<Outcome> {
    const answer = await source.read(session, new Date());
    const outcome = await this.outcomeOf(source.provider, answer, session.sessionId, reason);
    reconciliationMetrics.checks.inc({ provider: source.provider, outcome });
    if (answer.kind === 'failed') this.logger.warn({ provider: source.provider, sessionId: session.sessionId, reason: answer.reason }, "the provider's decision API failed; checked again later");
    return outcome;
  }

  private async outcomeOf(provider: string, answer: Reading, sessionId: string, reason: Reason): Promise<Outcome> {
    if (answer.kind === 'failed') return 'api_failed';
    if (answer.kind === 'not_found') return 'not_found';
    if (answer.kind === 'unrecognised') return 'unrecognised';
    if (answer.kind === 'undecided') return 'unchanged';
    const [current] = await this.dataSource.query('SELECT status FROM verification_sessions WHERE session_id = $1', [sessionId]);
    if (current?.status === answer.webhook.status) return 'unchanged';
    return (await this.emit(provider, answer.webhook, sessionId, reason)) ? 'reconciled' : 'unchanged';
  }

  /** The transition as a `webhook.received` into the outbox, once per (session, provider status). */
  private async emit(provider: string, webhook: ProviderWebhook, sessionId: string, reason: Reason): Promise<boolean> {
    const { payload, providerStatus, subjectRef } = webhook;
    // A session or person erased here goes back into the flow as the gateway sends a webhook about them:
    // routing fields only, nothing of the provider's answer (the erasure is not undone by reconciling).
    const erased = await this.tombstones.erasedAmong(this.dataSource, { subjects: subjectRef ? [subjectRef] : [], sessions: [sessionId] });
    const redacted = erased.session(sessionId) !== undefined || erased.subject(subjectRef) !== undefined;
    const fingerprint = fingerprintOf(payload);
    const id = webhookEventId(provider, fingerprint);
    const event = newEvent<WebhookReceivedData>({
      type: EventTypes.WebhookReceived,
      source: EventSources.KycResults,
      id,
      subject: sessionId,
      time: new Date(),
      data: {
        source: provider,
        scheme: provider,
        receivedAt: new Date().toISOString(),
        deliveryId: `reconciliation:${sessionId}:${providerStatus}`,
        fingerprint,
        sessionId,
        subjectRef,
        status: providerStatus,
        webhookType: webhook.webhookType,
        payload: redacted ? {} : payload,
        ...(redacted ? { redacted: true } : {}),
        origin: 'reconciliation',
      },
    });
    const emitted = await this.dataSource.transaction(async (manager) => {
      const claimed = await manager.query(
        `INSERT INTO reconciliation_emitted (session_id, status, event_id, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (session_id, status) DO NOTHING RETURNING session_id`,
        [sessionId, providerStatus, id, reason],
      );
      if (claimed.length === 0) return false;
      await addToOutbox(manager, Topics.WebhooksInbound, sessionId, event);
      return true;
    });
    if (emitted) {
      reconciliationMetrics.reconciled.inc({ provider, reason });
      this.logger.info({ provider, sessionId, status: providerStatus, reason, eventId: id }, 'reconciled a session from the provider API');
      this.relay.kick();
    }
    return emitted;
  }
}
