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
import { KycResultsConfig } from '../kyc-results.config';
import { DIDIT_STATUSES } from '../providers/didit-status';
import { ErasureTombstones } from '../retention/erasure-tombstones';
import { DiditApiClient, type ApiAnswer } from './didit-api.client';

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

/** Sessions checked per run, and unknown sessions taken from one listing. */
const BATCH = 50;
/**
 * A session the provider still shows in the same status (or does not know) is checked again after the
 * delay, then after twice it, four times…, at most this many delays apart: a session in review for
 * days costs a few calls a day, not one per delay.
 */
const MAX_BACKOFF = 24;

type Outcome = 'unchanged' | 'reconciled' | 'not_found' | 'unrecognised' | 'api_failed';

/**
 * Finds the transitions no webhook brought, from Didit's API: sessions that sat in a non-final
 * status longer than RECONCILE_AFTER_SEC, and recent sessions Didit lists that no webhook ever
 * announced. A transition found enters the flow exactly as a webhook does: a `webhook.received`
 * (origin `reconciliation`) on webhooks.inbound.v1, through the outbox, so it is sealed, audited,
 * deduplicated and ordered like any other. Its event time is the moment of the check, so a real
 * webhook arriving late is older and recorded as stale: the session changes once.
 *
 * Several replicas may run it: a session is claimed for a check with a lease (one statement), and a
 * (session, status) is put into the flow once (`reconciliation_emitted`).
 */
@Injectable()
export class ReconciliationService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Runs completed since start (tests wait on it). */
  completed = 0;
  private readonly didit?: DiditApiClient;
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
    if (config.DIDIT_API_KEY) {
      this.didit = new DiditApiClient({ baseUrl: config.DIDIT_BASE_URL, apiKey: config.DIDIT_API_KEY, maxPerMinute: config.RECONCILE_MAX_REQUESTS_PER_MIN });
    }
  }

  get enabled(): boolean {
    return this.didit !== undefined;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.schedule(this.config.RECONCILE_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** One pass: the stale sessions due for a check, then the sessions Didit lists that are unknown here. */
  async runOnce(): Promise<void> {
    if (!this.didit) return;
    for (const sessionId of await this.claimStale()) {
      if (this.stopped) break;
      await this.checkStale(this.didit, sessionId);
    }
    if (!this.stopped) await this.findUnknown(this.didit);
    this.completed++;
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
   * Claims the stale Didit sessions due for a check, in one statement; the lease (until the next
   * check, growing with each check) keeps other replicas off them.
   */
  private async claimStale(): Promise<string[]> {
    const rows: Array<{ session_id: string }> = await this.dataSource.query(
      `WITH due AS (
         SELECT s.session_id FROM verification_sessions s
         LEFT JOIN reconciliation_checks c ON c.session_id = s.session_id
         WHERE s.provider = 'didit' AND s.erased_at IS NULL AND s.status <> ALL($1::text[])
           AND s.last_event_at < now() - make_interval(secs => $2)
           AND (c.next_check_at IS NULL OR c.next_check_at <= now())
         ORDER BY s.last_event_at LIMIT $3)
       INSERT INTO reconciliation_checks (session_id, provider, checks, next_check_at)
       SELECT session_id, 'didit', 1, now() + make_interval(secs => $2) FROM due
       ON CONFLICT (session_id) DO UPDATE SET checks = reconciliation_checks.checks + 1,
         next_check_at = now() + make_interval(secs => $2 * LEAST(power(2, reconciliation_checks.checks), $4))
         WHERE reconciliation_checks.next_check_at <= now()
       RETURNING session_id`,
      [KYC_TERMINAL_STATUSES, this.config.RECONCILE_AFTER_SEC, BATCH, MAX_BACKOFF],
    );
    return rows.map((r) => r.session_id);
  }

  private async checkStale(didit: DiditApiClient, sessionId: string): Promise<void> {
    const answer = await didit.decision(sessionId);
    const outcome = await this.reconcile(answer, sessionId, 'stale');
    await this.dataSource.query('UPDATE reconciliation_checks SET last_checked_at = now(), last_outcome = $2 WHERE session_id = $1', [sessionId, outcome]);
  }

  /** Recent sessions Didit lists, older than the reconcile delay (their webhook had time to come), that are unknown here. */
  private async findUnknown(didit: DiditApiClient): Promise<void> {
    const listed = await didit.recentSessions();
    if (listed.kind !== 'ok') {
      reconciliationMetrics.checks.inc({ provider: 'didit', outcome: listed.kind === 'not_found' ? 'not_found' : 'api_failed' });
      if (listed.kind === 'failed') this.logger.warn({ reason: listed.reason }, 'listing Didit sessions failed');
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
      await this.reconcile(await didit.decision(sessionId), sessionId, 'unknown');
    }
  }

  /** Compares the provider's decision with the session here and puts a missing transition into the flow. */
  private async reconcile(answer: ApiAnswer<Record<string, unknown>>, sessionId: string, reason: 'stale' | 'unknown'): Promise<Outcome> {
    const outcome = await this.outcomeOf(answer, sessionId, reason);
    reconciliationMetrics.checks.inc({ provider: 'didit', outcome });
    if (answer.kind === 'failed') this.logger.warn({ sessionId, reason: answer.reason }, "Didit's decision API failed; checked again later");
    return outcome;
  }

  private async outcomeOf(answer: ApiAnswer<Record<string, unknown>>, sessionId: string, reason: 'stale' | 'unknown'): Promise<Outcome> {
    if (answer.kind === 'failed') return 'api_failed';
    if (answer.kind === 'not_found') return 'not_found';
    const decision = answer.body;
    const providerStatus = typeof decision.status === 'string' ? decision.status : undefined;
    if (decision.session_id !== sessionId || !providerStatus || !Object.prototype.hasOwnProperty.call(DIDIT_STATUSES, providerStatus)) return 'unrecognised';
    const [current] = await this.dataSource.query('SELECT status FROM verification_sessions WHERE session_id = $1', [sessionId]);
    if (current?.status === DIDIT_STATUSES[providerStatus]) return 'unchanged';
    return (await this.emit(decision, sessionId, providerStatus, reason)) ? 'reconciled' : 'unchanged';
  }

  /** The transition as a `webhook.received` into the outbox, once per (session, status). */
  private async emit(decision: Record<string, unknown>, sessionId: string, providerStatus: string, reason: 'stale' | 'unknown'): Promise<boolean> {
    const nowSec = Math.floor(Date.now() / 1000);
    const subjectRef = typeof decision.vendor_data === 'string' && decision.vendor_data ? decision.vendor_data : undefined;
    // A status.updated webhook as Didit would have sent it, carrying the decision the API returned.
    const payload: Record<string, unknown> = {
      session_id: sessionId,
      status: providerStatus,
      webhook_type: 'status.updated',
      vendor_data: subjectRef,
      workflow_id: decision.workflow_id,
      session_kind: decision.session_kind,
      created_at: nowSec,
      timestamp: nowSec,
      decision,
    };
    for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
    const fingerprint = fingerprintOf(payload);
    const id = webhookEventId('didit', fingerprint);
    const event = newEvent<WebhookReceivedData>({
      type: EventTypes.WebhookReceived,
      source: EventSources.KycResults,
      id,
      subject: sessionId,
      time: new Date(nowSec * 1000),
      data: {
        source: 'didit',
        scheme: 'didit',
        receivedAt: new Date().toISOString(),
        deliveryId: `reconciliation:${sessionId}:${providerStatus}`,
        fingerprint,
        sessionId,
        subjectRef,
        status: providerStatus,
        webhookType: 'status.updated',
        payload,
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
      reconciliationMetrics.reconciled.inc({ provider: 'didit', reason });
      this.logger.info({ sessionId, status: providerStatus, reason, eventId: id }, 'reconciled a session from the provider API');
      this.relay.kick();
    }
    return emitted;
  }
}
