import { DIDIT_NON_SESSION_PREFIXES, diditWebhookType, isDiditBusinessSession } from './didit-envelope';
import { DIDIT_STATUSES } from './didit-status';
import { DiditV2Adapter } from './didit-v2.adapter';
import { DiditV3Adapter } from './didit-v3.adapter';
import { OnfidoAdapter } from './onfido.adapter';
import type { Json } from './payload-fields';
import { PersonaAdapter } from './persona.adapter';
import { SumsubAdapter } from './sumsub.adapter';
import { VeriffAdapter } from './veriff.adapter';
import type { AdaptedWebhook, VerificationReport } from './verification-report';

/** What an adapter needs from its provider's API before it can read a webhook (Onfido: the check or workflow run and its applicant). */
export interface ProviderLookup {
  provider: string;
  resource: string;
  id: string;
}

/**
 * Answers lookups against one provider's API. Undefined when the API is not configured: the webhook is
 * then read without (status only). Throws a retryable error when the API cannot answer now.
 */
export interface ProviderApi {
  readonly provider: string;
  lookup(request: ProviderLookup): Promise<Json | undefined>;
}

/** Nest token of the ProviderApi list WebhookIntake consults. */
export const PROVIDER_APIS = Symbol('PROVIDER_APIS');

/** Reads one provider's payloads of one version into the canonical VerificationReport. */
export interface ProviderAdapter {
  /** The provider: its gateway route (`POST /webhooks/:source`) and the name of its signature scheme. */
  readonly source: string;
  readonly version: string;
  accepts(payload: Json): boolean;
  /** The type of a webhook about something other than a verification session (acknowledged and counted, never read). */
  nonSessionType?(payload: Json): string | undefined;
  /** What to fetch from the provider's API before read(); undefined when the payload says enough. Pure. */
  lookupOf?(payload: Json): ProviderLookup | undefined;
  /**
   * Throws MalformedPayloadError when the payload is not a usable verification report. `fetched` is
   * what the provider's API answered to lookupOf (absent when none was needed or the API is not configured).
   */
  read(payload: Json, fetched?: Json): VerificationReport;
}

/** More specific adapters first: the first that accepts a payload reads it. */
const ADAPTERS: ProviderAdapter[] = [new DiditV3Adapter(), new DiditV2Adapter(), new SumsubAdapter(), new OnfidoAdapter(), new VeriffAdapter(), new PersonaAdapter()];

/**
 * Whose payload a webhook carries. A provider's own signature scheme names the provider (a route
 * `acme` verified with the `veriff` scheme carries Veriff payloads); the generic Standard Webhooks
 * scheme names nobody, so then the route does.
 */
export function providerOf(source: string, scheme?: string): string {
  return scheme && scheme !== 'standard' ? scheme : source;
}

function diditNonSessionType(payload: Json): string | undefined {
  const type = diditWebhookType(payload) ?? '';
  if (DIDIT_NON_SESSION_PREFIXES.some((prefix) => type.startsWith(prefix))) return type;
  if (type === 'status.updated' && isDiditBusinessSession(payload)) return 'status.updated(business)';
  return undefined;
}

function nonSessionType(provider: string, payload: Json, adapters: readonly ProviderAdapter[]): string | undefined {
  if (provider === 'didit') return diditNonSessionType(payload);
  for (const adapter of adapters) {
    const type = adapter.source === provider ? adapter.nonSessionType?.(payload) : undefined;
    if (type) return type;
  }
  return undefined;
}

type Ignored = Extract<AdaptedWebhook, { kind: 'ignored' }>;

/** A webhook an adapter will read (after its lookup, if it names one), or one that is only acknowledged. */
export type WebhookPlan = Ignored | { kind: 'read'; adapter: ProviderAdapter; payload: Json; lookup?: ProviderLookup };

/**
 * Chooses the adapter for a webhook, or says why it is only acknowledged: a webhook type outside
 * verification sessions, or a provider no adapter reads. Throws MalformedPayloadError when the
 * payload cannot even say what to fetch.
 */
export function planWebhook(source: string, payload: Json, adapters: readonly ProviderAdapter[] = ADAPTERS, scheme?: string): WebhookPlan {
  const provider = providerOf(source, scheme);
  const ignoredType = nonSessionType(provider, payload, adapters);
  if (ignoredType) return { kind: 'ignored', source, webhookType: ignoredType, reason: 'non_session' };
  const adapter = adapters.find((a) => a.source === provider && a.accepts(payload));
  if (!adapter) {
    const type = diditWebhookType(payload) ?? 'unknown';
    return { kind: 'ignored', source, webhookType: type, reason: 'no_adapter' };
  }
  return { kind: 'read', adapter, payload, lookup: adapter.lookupOf?.(payload) };
}

/**
 * Turns a received webhook into a report, or says why it is only acknowledged. `scheme` is the
 * event's signature scheme (see providerOf); `fetched` what the provider's API answered to the
 * plan's lookup.
 */
export function adaptWebhook(source: string, payload: Json, adapters: readonly ProviderAdapter[] = ADAPTERS, scheme?: string, fetched?: Json): AdaptedWebhook {
  const plan = planWebhook(source, payload, adapters, scheme);
  return plan.kind === 'read' ? { kind: 'report', report: plan.adapter.read(payload, fetched) } : plan;
}

/** What a redacted webhook (`webhook.received` with `redacted`: no payload) still carries in clear. */
export interface RedactedWebhook {
  source: string;
  scheme?: string;
  sessionId?: string;
  subjectRef?: string;
  status?: string;
  webhookType?: string;
  /** The event's time: the provider's event time, else when the gateway received it. */
  occurredAt: Date;
}

/**
 * A webhook the gateway published without its payload (its subject or session was erased before) is
 * read from its routing fields: a Didit session status the routing fields name exactly becomes a
 * status report without a decision (the erasure tombstones then record it without the person). Anything
 * else (a data correction, another provider's status, which needs its payload) is only acknowledged.
 */
export function adaptRedactedWebhook(w: RedactedWebhook): AdaptedWebhook {
  const webhookType = w.webhookType ?? 'unknown';
  const erased = { kind: 'ignored', source: w.source, webhookType, reason: 'subject_erased' } as const;
  if (providerOf(w.source, w.scheme) !== 'didit') return erased;
  if (DIDIT_NON_SESSION_PREFIXES.some((prefix) => webhookType.startsWith(prefix))) return { ...erased, reason: 'non_session' };
  const status = w.status !== undefined && Object.prototype.hasOwnProperty.call(DIDIT_STATUSES, w.status) ? DIDIT_STATUSES[w.status] : undefined;
  if (webhookType !== 'status.updated' || !status || !w.sessionId) return erased;
  return {
    kind: 'report',
    report: { provider: 'didit', payloadVersion: 'didit-redacted', kind: 'status', webhookType, sessionId: w.sessionId, subjectRef: w.subjectRef, status, providerStatus: w.status, occurredAt: w.occurredAt },
  };
}
