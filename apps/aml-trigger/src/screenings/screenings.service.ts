import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { canonicalJson, Topics, type ScreeningOutcome } from '@compliance/contracts';
import { addToOutbox } from '@compliance/persistence';
import { suppressedHitKeys } from '../alerts/alert.repository';
import { AlertsService } from '../alerts/alerts.service';
import { PiiCipher } from '@compliance/persistence';
import { ScreeningProvider } from '../provider/screening-provider';
import { outcomeOfDiditStatus } from '../provider/didit/didit-verdict';
import { screeningCompleted, screeningFailed, screeningRequested } from './screening-events';
import { insertRequested, markCompleted, markFailed, type ScreeningRef } from './screening.repository';
import { eventKeyOf, type ScreeningIdentity, type ScreeningTrigger, type ScreeningVerdict } from './screening.types';

const screeningsTotal =
  (register.getSingleMetric('aml_screenings_total') as Counter | undefined) ??
  new Counter({ name: 'aml_screenings_total', help: 'Screenings finished, by provider, trigger and outcome', labelNames: ['provider', 'trigger', 'outcome'] });

export interface ScreeningRequest {
  subjectRef: string;
  sessionId?: string;
  trigger: ScreeningTrigger;
  identity: ScreeningIdentity;
  /** Same key = same screening: a redelivered or re-sent request does not screen twice. */
  dedupeKey?: string;
  traceparent?: string;
}

export const sealContext = (screeningId: string) => `screening:${screeningId}`;

/**
 * The life of one screening: requested → completed or failed, each step written with its event in
 * the caller's transaction (outbox). Alerts follow from the findings.
 */
@Injectable()
export class ScreeningsService {
  constructor(
    private readonly provider: ScreeningProvider,
    private readonly cipher: PiiCipher,
    private readonly alerts: AlertsService,
  ) {}

  get providerName(): string {
    return this.provider.name;
  }

  /** Records the request; an inline provider (the built-in screener) completes it in the same transaction. */
  async request(m: EntityManager, req: ScreeningRequest): Promise<{ screeningId: string; duplicate: boolean }> {
    const id = randomUUID();
    const ref: ScreeningRef = {
      id,
      subjectRef: req.subjectRef,
      sessionId: req.sessionId,
      provider: this.provider.name,
      trigger: req.trigger,
      requestedAt: new Date().toISOString(),
      traceparent: req.traceparent,
    };
    const inputSealed = this.cipher.sealJson(req.identity, sealContext(id));
    const listSet = this.provider.listSetKey();
    const { id: screeningId, inserted } = await insertRequested(m, { ...ref, dedupeKey: req.dedupeKey, inputSealed, listSet });
    if (!inserted) return { screeningId, duplicate: true };
    await addToOutbox(m, Topics.AmlScreenings, eventKeyOf(ref), screeningRequested(ref));
    if (this.provider.inline) {
      const suppressed = await suppressedHitKeys(m, ref.subjectRef);
      const verdict = await this.provider.screen({ identity: req.identity, suppressedHitKeys: suppressed, idempotencyKey: id });
      await this.complete(m, ref, verdict);
    }
    return { screeningId, duplicate: false };
  }

  async complete(m: EntityManager, s: ScreeningRef, verdict: ScreeningVerdict): Promise<string | undefined> {
    const at = new Date().toISOString();
    await markCompleted(m, s.id, s.provider, verdict, at);
    await addToOutbox(m, Topics.AmlScreenings, eventKeyOf(s), screeningCompleted(s, verdict, at));
    screeningsTotal.inc({ provider: s.provider, trigger: s.trigger, outcome: verdict.outcome });
    return this.alerts.raiseForNewHits(m, s, verdict);
  }

  async fail(m: EntityManager, s: ScreeningRef, reason: string, attempts: number, alert = true): Promise<void> {
    const at = new Date().toISOString();
    await markFailed(m, s.id, reason, attempts, at);
    await addToOutbox(m, Topics.AmlScreenings, eventKeyOf(s), screeningFailed(s, reason, attempts, at));
    screeningsTotal.inc({ provider: s.provider, trigger: s.trigger, outcome: 'failed' });
    if (alert) await this.alerts.raiseScreeningFailed(m, s, reason, attempts);
  }

  /** A verification we were asked to screen but that names nobody: failed, with an alert, never skipped. */
  async recordUnscreenable(m: EntityManager, req: Omit<ScreeningRequest, 'identity'>, reason: string): Promise<void> {
    const ref: ScreeningRef = { id: randomUUID(), ...req, provider: this.provider.name, requestedAt: new Date().toISOString() };
    const { inserted } = await insertRequested(m, { ...ref, dedupeKey: req.dedupeKey });
    if (!inserted) return;
    await addToOutbox(m, Topics.AmlScreenings, eventKeyOf(ref), screeningRequested(ref));
    await this.fail(m, ref, reason, 0);
  }

  /**
   * Didit screened the person during verification (`aml_screenings[]`): kept as the provider's own
   * screening beside ours, so both are on record. The summary has no hit identities, so it raises
   * no alert of its own (an approval means the provider's review already happened); analysts see it
   * beside ours in GET /subjects/:subjectRef/screenings.
   */
  async recordProviderSummary(m: EntityManager, req: { subjectRef: string; sessionId: string; summary: { status?: string; totalHits?: number; score?: number }; traceparent?: string }): Promise<void> {
    const digest = createHash('sha256').update(canonicalJson(req.summary)).digest('hex').slice(0, 32);
    const ref: ScreeningRef = { id: randomUUID(), subjectRef: req.subjectRef, sessionId: req.sessionId, provider: 'didit', trigger: 'provider_webhook', requestedAt: new Date().toISOString(), traceparent: req.traceparent };
    const { inserted } = await insertRequested(m, { ...ref, dedupeKey: `provider:${req.sessionId}:${digest}` });
    if (!inserted) return;
    const outcome: ScreeningOutcome = req.summary.totalHits === 0 ? 'clear' : outcomeOfDiditStatus(req.summary.status);
    const verdict: ScreeningVerdict = {
      outcome,
      score: typeof req.summary.score === 'number' ? Math.min(1, Math.max(0, req.summary.score / 100)) : 0,
      hits: [],
      listVersions: [],
      algorithm: { name: 'didit-aml', version: 'session-decision' },
      providerSummary: { ...req.summary },
    };
    const at = new Date().toISOString();
    await markCompleted(m, ref.id, 'didit', verdict, at);
    await addToOutbox(m, Topics.AmlScreenings, eventKeyOf(ref), screeningCompleted(ref, verdict, at));
    screeningsTotal.inc({ provider: 'didit', trigger: 'provider_webhook', outcome });
  }
}
