import { createHash } from 'node:crypto';
import { canonicalJson, encodeEvent, EventSources, EventTypes, newEvent, type EncodedRecord, type WebhookReceivedData } from '@compliance/contracts';
import type { SchemeName } from '../webhook-gateway.config';
import type { DeliveryFacts } from '../signatures/signature-scheme';

/** Fields that change from one delivery attempt to the next while the content stays the same. */
const DELIVERY_SPECIFIC_FIELDS = ['event_id', 'timestamp'];

/** A verified webhook, ready to be made durable. */
export interface InboundWebhook {
  /** Deterministic: the same source and content always give the same id, so every inbox dedupes it. */
  eventId: string;
  source: string;
  deliveryId: string;
  fingerprint: string;
  /** The record key: the session id, else the subject reference, else the delivery id. */
  key: string;
  subjectRef?: string;
  receivedAt: Date;
  record: EncodedRecord;
}

export function fingerprintOf(payload: Record<string, unknown>): string {
  const content = Object.fromEntries(Object.entries(payload).filter(([k]) => !DELIVERY_SPECIFIC_FIELDS.includes(k)));
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

/** A name-based UUID (RFC 9562 version 8, SHA-256) of the source and the content fingerprint. */
export function webhookEventId(source: string, fingerprint: string): string {
  const h = createHash('sha256').update(`${EventTypes.WebhookReceived}\n${source}\n${fingerprint}`, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function toInboundWebhook(init: {
  source: string;
  scheme: SchemeName;
  facts: DeliveryFacts;
  payload: Record<string, unknown>;
  receivedAt: Date;
  traceparent?: string;
}): InboundWebhook {
  const { source, facts, payload } = init;
  const fingerprint = fingerprintOf(payload);
  const eventId = webhookEventId(source, fingerprint);
  const deliveryId = facts.deliveryId ?? `content:${fingerprint}`;
  const key = facts.sessionId ?? facts.subjectRef ?? deliveryId;
  const data: WebhookReceivedData = {
    source,
    scheme: init.scheme,
    receivedAt: init.receivedAt.toISOString(),
    deliveryId,
    fingerprint,
    sessionId: facts.sessionId,
    subjectRef: facts.subjectRef,
    payload,
  };
  const event = newEvent({
    type: EventTypes.WebhookReceived,
    source: EventSources.WebhookGateway,
    id: eventId,
    subject: facts.sessionId ?? facts.subjectRef,
    time: facts.occurredAt ?? init.receivedAt,
    data,
    causeTraceparent: init.traceparent,
  });
  return { eventId, source, deliveryId, fingerprint, key, subjectRef: facts.subjectRef, receivedAt: init.receivedAt, record: encodeEvent(event, key) };
}
