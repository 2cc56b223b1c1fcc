import { createHash } from 'node:crypto';
import { canonicalJson, type ScreeningOutcome } from '@compliance/contracts';
import { outcomeOfDiditStatus } from '../provider/didit/didit-verdict';
import type { ScreeningIdentity, ScreeningTrigger, ScreeningVerdict } from './screening.types';

export interface ScreeningRequest {
  subjectRef: string;
  sessionId?: string;
  trigger: ScreeningTrigger;
  identity: ScreeningIdentity;
  /** Same key = same screening: a redelivered or re-sent request does not screen twice. */
  dedupeKey?: string;
  traceparent?: string;
}

/** Didit's own AML summary that came with a verification (`aml_screenings[]`). */
export interface ProviderSummaryRequest {
  subjectRef: string;
  sessionId: string;
  summary: { status?: string; totalHits?: number; score?: number };
  traceparent?: string;
}

/** What a screening is to record: a screening to do, one that cannot be done, or the provider's own summary. */
export type ScreeningOrder =
  | { kind: 'screen'; request: ScreeningRequest }
  | { kind: 'unscreenable'; request: Omit<ScreeningRequest, 'identity'>; reason: string }
  | { kind: 'provider_summary'; request: ProviderSummaryRequest };

/** The idempotency key of a provider summary: one screening per session and summary content. */
export function providerSummaryKey(req: ProviderSummaryRequest): string {
  const digest = createHash('sha256').update(canonicalJson(req.summary)).digest('hex').slice(0, 32);
  return `provider:${req.sessionId}:${digest}`;
}

/** The provider's summary as findings: no hit identities, its status gives the outcome, its 0–100 score scaled to 0–1. */
export function providerSummaryVerdict(summary: ProviderSummaryRequest['summary']): ScreeningVerdict {
  const outcome: ScreeningOutcome = summary.totalHits === 0 ? 'clear' : outcomeOfDiditStatus(summary.status);
  return {
    outcome,
    score: typeof summary.score === 'number' ? Math.min(1, Math.max(0, summary.score / 100)) : 0,
    hits: [],
    listVersions: [],
    algorithm: { name: 'didit-aml', version: 'session-decision' },
    providerSummary: { ...summary },
  };
}

/**
 * The orders still to perform, in order: those whose idempotency key no stored screening holds,
 * and of several with one key the first (the later ones are its duplicates, as one by one).
 */
export function stillToPerform<T extends { dedupeKey?: string }>(orders: T[], stored: ReadonlyMap<string, unknown>): T[] {
  const taken = new Set<string>();
  return orders.filter((o) => {
    if (o.dedupeKey === undefined) return true;
    if (stored.has(o.dedupeKey) || taken.has(o.dedupeKey)) return false;
    taken.add(o.dedupeKey);
    return true;
  });
}
