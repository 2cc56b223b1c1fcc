import { EventTypes, isKycEventType, traceIdOf, type DomainEvent } from '@compliance/contracts';
import { AuditEntryTypes, type NewEntry } from '../chain/audit-entry';

type Data = Record<string, unknown>;

/** What the chain keeps of an event: the references it is about and the data an auditor needs. */
export interface Minimised {
  subjectRef?: string;
  sessionId?: string;
  data: Data;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const obj = (v: unknown): Data => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {});

/** Everything but the references, which the chain row holds already. */
function withoutRefs(d: Data): Data {
  const out: Data = { ...d };
  delete out.subjectRef;
  delete out.sessionId;
  return out;
}

function pick(source: unknown, keys: string[]): Data {
  const from = obj(source);
  const out: Data = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

/** The references every event carries in its data (sessionId, subjectRef), taken as strings only. */
export function refsOf(type: string, data: unknown): Pick<Minimised, 'subjectRef' | 'sessionId'> {
  const d = obj(data);
  if (type === EventTypes.WebhookReceived) {
    // A sealed payload (a string) reads as empty: the routing fields beside it are in clear.
    const payload = obj(d.payload);
    return { subjectRef: text(d.subjectRef) ?? text(payload.vendor_data), sessionId: text(d.sessionId) ?? text(payload.session_id) };
  }
  return { subjectRef: text(d.subjectRef), sessionId: text(d.sessionId) };
}

// Per type, what stays. Free text that may name a person (alert summaries, review notes) and
// identity data are left out; outcomes, statuses, scores, hit entity ids and list versions stay.
const KEEP: Record<string, (d: Data) => Data> = {
  [EventTypes.WebhookReceived]: (d) => {
    const payload = obj(d.payload);
    return {
      // origin: a transition the reconciler read from the provider's API rather than a delivered webhook.
      ...pick(d, ['source', 'scheme', 'deliveryId', 'fingerprint', 'receivedAt', 'origin']),
      webhookType: text(d.webhookType) ?? text(payload.webhook_type),
      status: text(d.status) ?? text(payload.status),
    };
  },
  [EventTypes.WebhookRejected]: (d) => pick(d, ['source', 'reason', 'status', 'size', 'receivedAt', 'count', 'windowStart', 'windowEnd']),
  [EventTypes.AmlScreeningRequested]: (d) => pick(d, ['screeningId', 'provider', 'trigger', 'requestedAt']),
  [EventTypes.AmlScreeningCompleted]: (d) => ({
    ...pick(d, ['screeningId', 'provider', 'trigger', 'outcome', 'score', 'listVersions', 'algorithm', 'completedAt']),
    hits: Array.isArray(d.hits) ? d.hits.map((h) => pick(h, ['list', 'entityId', 'score'])) : [],
  }),
  [EventTypes.AmlScreeningFailed]: (d) => pick(d, ['screeningId', 'provider', 'trigger', 'reason', 'attempts', 'failedAt']),
  [EventTypes.ComplianceAlertRaised]: (d) => ({
    ...pick(d, ['alertId', 'kind', 'severity', 'screeningId', 'erasureRequestId', 'raisedAt']),
    // A retention alert's references (an overdue purge: which one, who is missing); no free text.
    ...pick(d.details, ['purgeId', 'category', 'waitingFor']),
  }),
  [EventTypes.ComplianceAlertResolved]: (d) => ({
    ...pick(d, ['alertId', 'resolution', 'reviewer', 'secondReviewer', 'resolvedAt']),
    noteGiven: typeof d.note === 'string' && d.note.length > 0,
  }),
  [EventTypes.ComplianceAlertReviewProposed]: (d) => ({
    ...pick(d, ['alertId', 'proposal', 'proposedBy', 'proposedAt']),
    noteGiven: typeof d.note === 'string' && d.note.length > 0,
  }),
  // Who saw an identity unmasked, which fields, when and why (the reason they gave); never the
  // values (the event carries none).
  [EventTypes.KycIdentityAccessed]: (d) => pick(d, ['accessedBy', 'role', 'fields', 'accessedAt', 'reason']),
  [EventTypes.AmlIdentityAccessed]: (d) => pick(d, ['screeningIds', 'accessedBy', 'role', 'fields', 'accessedAt', 'reason']),
  [AuditEntryTypes.DeadLetter]: withoutRefs,
};

function kycData(d: Data): Data {
  return {
    ...pick(d, ['provider', 'status', 'previousStatus', 'occurredAt', 'change', 'workflowId', 'terminal']),
    decision: d.decision === undefined ? undefined : pick(d.decision, ['documentType', 'issuingCountry', 'livenessScore', 'faceMatchScore', 'ipRiskFlags', 'providerAml']),
    // The identity itself never enters the trail; that it was passed on to screening does.
    identityProvided: d.identity !== undefined && d.identity !== null,
  };
}

export function minimise(event: DomainEvent): Minimised {
  const d = obj(event.data);
  const refs = refsOf(event.type, d);
  if (isKycEventType(event.type)) return { ...refs, data: kycData(d) };
  const keep = KEEP[event.type];
  if (keep) return { ...refs, data: keep(d) };
  // Retention protocol events hold no personal data: ids, categories, counts, times.
  if (event.type.startsWith('retention.')) return { ...refs, data: withoutRefs(d) };
  // A type this version does not know: only that it happened.
  return { ...refs, data: {} };
}

/** The chain entry for a consumed event. */
export function toAuditEntry(event: DomainEvent): NewEntry {
  const { subjectRef, sessionId, data } = minimise(event);
  const time = new Date(event.time);
  return {
    eventId: event.id,
    type: event.type,
    source: event.source,
    subjectRef,
    sessionId,
    occurredAt: Number.isNaN(time.getTime()) ? new Date() : time,
    traceId: traceIdOf(event.traceparent) ?? null,
    data,
  };
}
