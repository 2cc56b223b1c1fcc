import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { Topics, type DomainEvent } from '@compliance/contracts';
import { addManyToOutbox, addToOutbox } from '@compliance/messaging';
import { identityOwnerOf, IdentitySealing } from '../pii/identity-sealing';
import { suppressedHitKeys } from '../alerts/alert.repository';
import { AlertsService } from '../alerts/alerts.service';
import { failureAlert, hitAlert, hitAlertCandidate, needsHitAlert, type HitAlertCandidate, type PreparedAlert } from '../alerts/prepared-alert';
import { ScreeningProvider } from '../provider/screening-provider';
import { screeningCompleted, screeningFailed, screeningRequested } from './screening-events';
import { providerSummaryKey, providerSummaryVerdict, stillToPerform, type ScreeningOrder, type ScreeningRequest } from './screening-orders';
import { insertScreenings, markCompleted, markFailed, screeningIdsByDedupeKey, type NewScreening, type ScreeningRef } from './screening.repository';
import { eventKeyOf, type ScreeningVerdict } from './screening.types';

const NONE: ReadonlySet<string> = new Set();

const screeningsTotal =
  (register.getSingleMetric('aml_screenings_total') as Counter | undefined) ??
  new Counter({ name: 'aml_screenings_total', help: 'Screenings finished, by provider, trigger and outcome', labelNames: ['provider', 'trigger', 'outcome'] });

export type { ScreeningRequest } from './screening-orders';

export const sealContext = (screeningId: string) => `screening:${screeningId}`;

/** The personal parts of a screening's hits, sealed at rest as on the topic: the names that matched. */
export const HIT_NAME_PATHS = ['hits.*.matchedName', 'hits.*.entityName'];

export interface ScreeningReceipt {
  screeningId: string;
  /** Another screening already held the request's idempotency key. */
  duplicate: boolean;
}

interface Draft {
  order: ScreeningOrder;
  ref: ScreeningRef;
  dedupeKey?: string;
}

/** A screening done in memory: its row, its events in order, and the alert it may raise. */
interface Performed {
  row: NewScreening;
  outbox: OutboxEntry[];
  hitAlert?: HitAlertCandidate;
  /** Why it failed (an alert for a human follows). */
  failure?: string;
}

type OutboxEntry = PreparedAlert['outbox'];

/**
 * The life of one screening: requested → completed or failed, each step written with its event in
 * the caller's transaction (outbox). Alerts follow from the findings.
 */
@Injectable()
export class ScreeningsService {
  constructor(
    private readonly provider: ScreeningProvider,
    private readonly sealing: IdentitySealing,
    private readonly alerts: AlertsService,
  ) {}

  get providerName(): string {
    return this.provider.name;
  }

  /** Records the request; an inline provider (the built-in screener) completes it in the same transaction. */
  async request(m: EntityManager, req: ScreeningRequest): Promise<ScreeningReceipt> {
    const [receipt] = await this.requestMany(m, [{ kind: 'screen', request: req }]);
    return receipt;
  }

  /**
   * Records several screenings in a constant number of statements, with the same rows, events (in
   * order per key) and alerts as recording them one by one: the stored idempotency keys are read
   * once, an inline screener screens in memory (the subjects' suppressed hits read once), and each
   * screening is written once, already completed when the screener answered.
   */
  async requestMany(m: EntityManager, orders: ScreeningOrder[]): Promise<ScreeningReceipt[]> {
    const listSet = this.provider.listSetKey();
    const drafts = orders.map((order) => this.draft(order));
    const stored = await screeningIdsByDedupeKey(m, drafts.flatMap((d) => (d.dedupeKey ? [d.dedupeKey] : [])));
    const todo = stillToPerform(drafts, stored);
    const toScreen = this.provider.inline ? todo.filter((d) => d.order.kind === 'screen') : [];
    const suppressed = await suppressedHitKeys(m, toScreen.map((d) => d.ref.subjectRef));
    const performed: Performed[] = [];
    for (const d of todo) performed.push(await this.perform(d, listSet, suppressed.get(d.ref.subjectRef) ?? NONE));
    const inserted = await insertScreenings(m, await this.withSealedHits(performed.map((p) => p.row)));
    const written = performed.filter((p) => inserted.has(p.row.id));
    const claimed = await this.alerts.claimHits(m, written.flatMap((p) => p.hitAlert ?? []));
    const alerts = written.map((p) => (p.failure ? failureAlert(p.row, p.failure, 0) : p.hitAlert && hitAlert(p.hitAlert, claimed.get(p.hitAlert.alertId))));
    await this.alerts.store(m, alerts.flatMap((a) => a ?? []));
    await addManyToOutbox(m, written.flatMap((p, i) => [...p.outbox, ...(alerts[i] ? [alerts[i].outbox] : [])]));
    for (const { row } of written) {
      if (row.status !== 'pending') screeningsTotal.inc({ provider: row.provider, trigger: row.trigger, outcome: row.verdict?.outcome ?? 'failed' });
    }
    return this.receipts(m, drafts, inserted, stored);
  }

  async complete(m: EntityManager, s: ScreeningRef, verdict: ScreeningVerdict): Promise<string | undefined> {
    const at = new Date().toISOString();
    const [stored] = await this.withSealedHits([{ ...s, verdict }]);
    await markCompleted(m, s.id, s.provider, stored.verdict as ScreeningVerdict, at);
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

  /**
   * The screenings as stored: each hit's matched and entity name sealed under the person's data key
   * (a listed name that matched theirs identifies them too). Copies; the events and alerts are made
   * from the verdicts as they are (the outbox seals those by the contract).
   */
  private async withSealedHits<R extends ScreeningRef & { verdict?: ScreeningVerdict }>(rows: R[]): Promise<R[]> {
    const sealed = await this.sealing.sealFields(
      rows.map((r) => ({ data: { hits: r.verdict?.hits ?? [] }, owner: identityOwnerOf(r.subjectRef, r.sessionId), context: sealContext(r.id), paths: HIT_NAME_PATHS })),
    );
    return rows.map((r, i) => (r.verdict ? { ...r, verdict: { ...r.verdict, hits: sealed[i].hits } } : r));
  }

  private draft(order: ScreeningOrder): Draft {
    const requestedAt = new Date().toISOString();
    const { subjectRef, sessionId, traceparent } = order.request;
    if (order.kind === 'provider_summary') {
      const ref: ScreeningRef = { id: randomUUID(), subjectRef, sessionId, provider: 'didit', trigger: 'provider_webhook', requestedAt, traceparent };
      return { order, ref, dedupeKey: providerSummaryKey(order.request) };
    }
    const ref: ScreeningRef = { id: randomUUID(), subjectRef, sessionId, provider: this.provider.name, trigger: order.request.trigger, requestedAt, traceparent };
    return { order, ref, dedupeKey: order.request.dedupeKey };
  }

  /** Everything but the writes: the screening itself when the screener is inline, its row and events. */
  private async perform({ order, ref, dedupeKey }: Draft, listSet: string, suppressed: ReadonlySet<string>): Promise<Performed> {
    const key = eventKeyOf(ref);
    const event = (e: DomainEvent): OutboxEntry => ({ topic: Topics.AmlScreenings, key, event: e });
    if (order.kind === 'provider_summary') {
      // Didit screened during verification: kept beside ours, no alert (no hit identities; the approval means its review happened).
      const verdict = providerSummaryVerdict(order.request.summary);
      const at = new Date().toISOString();
      return { row: { ...ref, status: 'completed', dedupeKey, verdict, attempts: 1, completedAt: at }, outbox: [event(screeningCompleted(ref, verdict, at))] };
    }
    const requested = event(screeningRequested(ref));
    if (order.kind === 'unscreenable') {
      // Named nobody: failed, with an alert, never skipped.
      const at = new Date().toISOString();
      const failed = event(screeningFailed(ref, order.reason, 0, at));
      const row: NewScreening = { ...ref, status: 'failed', dedupeKey, failureReason: order.reason, attempts: 0, completedAt: at };
      return { row, outbox: [requested, failed], failure: order.reason };
    }
    const pending: NewScreening = { ...ref, status: 'pending', dedupeKey, listSet, inputSealed: await this.sealing.seal(order.request.identity, identityOwnerOf(ref.subjectRef, ref.sessionId), sealContext(ref.id)), attempts: 0 };
    // A remote provider is asked outside any transaction, by the pending-screening worker.
    if (!this.provider.inline) return { row: pending, outbox: [requested] };
    const verdict = await this.provider.screen({ identity: order.request.identity, suppressedHitKeys: suppressed, idempotencyKey: ref.id });
    const at = new Date().toISOString();
    return {
      row: { ...pending, status: 'completed', verdict, attempts: verdict.attempts ?? 1, completedAt: at },
      outbox: [requested, event(screeningCompleted(ref, verdict, at))],
      hitAlert: needsHitAlert(verdict) ? hitAlertCandidate(ref, verdict) : undefined,
    };
  }

  /** Which screening holds each request: its own, or (a duplicate) the one that held the key before. */
  private async receipts(m: EntityManager, drafts: Draft[], inserted: ReadonlySet<string>, stored: ReadonlyMap<string, string>): Promise<ScreeningReceipt[]> {
    const holder = new Map(stored);
    for (const d of drafts) if (d.dedupeKey && inserted.has(d.ref.id)) holder.set(d.dedupeKey, d.ref.id);
    // Keys a concurrent transaction took between our read and our insert.
    const lost = drafts.flatMap((d) => (d.dedupeKey && !holder.has(d.dedupeKey) ? [d.dedupeKey] : []));
    for (const [k, id] of await screeningIdsByDedupeKey(m, lost)) holder.set(k, id);
    return drafts.map((d) => (inserted.has(d.ref.id) ? { screeningId: d.ref.id, duplicate: false } : { screeningId: holder.get(d.dedupeKey as string) as string, duplicate: true }));
  }
}
