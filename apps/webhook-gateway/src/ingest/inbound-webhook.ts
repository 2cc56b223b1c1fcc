import { encodeEvent, EventSources, EventTypes, fingerprintOf, newEvent, sealJsonText, webhookEventId, type EncodedRecord, type WebhookReceivedData } from '@compliance/contracts';
import { dataKeyOwner, type DataKeyOwner, type ErasedOwner, type IssuedKey } from '@compliance/persistence';
import type { SchemeName } from '../webhook-gateway.config';
import type { DeliveryFacts } from '../signatures/signature-scheme';

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

export function toInboundWebhook(init: {
  source: string;
  scheme: SchemeName;
  facts: DeliveryFacts;
  payload: Record<string, unknown>;
  receivedAt: Date;
  traceparent?: string;
  /**
   * The data key the payload is sealed under (crypto-shredding); the payload stays in clear without one.
   * One marked `erased` (its owner was erased before) seals nothing: the payload is left out (`redacted`).
   */
  sealWith?: IssuedKey | ErasedOwner;
  /** The payload's JSON as received (sealed as it is, instead of serialising the payload again). */
  payloadJson?: Buffer;
}): InboundWebhook {
  const { source, facts, payload } = init;
  const fingerprint = fingerprintOf(payload);
  const eventId = webhookEventId(source, fingerprint);
  const deliveryId = facts.deliveryId ?? `content:${fingerprint}`;
  const key = facts.sessionId ?? facts.subjectRef ?? deliveryId;
  // A webhook about a person erased before keeps only its routing fields: nothing of theirs is published again.
  const redacted = init.sealWith?.erased === true;
  const sealWith = !redacted && init.sealWith?.key ? (init.sealWith as IssuedKey) : undefined;
  const data: WebhookReceivedData = {
    source,
    scheme: init.scheme,
    receivedAt: init.receivedAt.toISOString(),
    deliveryId,
    fingerprint,
    sessionId: facts.sessionId,
    subjectRef: facts.subjectRef,
    // A scheme that reads them elsewhere says so; Didit's (and Standard's) stay top-level fields.
    status: facts.status !== undefined ? textOf(facts.status) : textOf(payload.status),
    webhookType: facts.webhookType !== undefined ? textOf(facts.webhookType) : textOf(payload.webhook_type),
    payload: redacted ? {} : sealWith ? sealJsonText(init.payloadJson ? withoutBom(init.payloadJson) : JSON.stringify(payload), sealWith.key, sealWith.keyId, eventId, 'payload') : payload,
    ...(redacted ? { redacted: true } : {}),
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
  if (sealWith) event.datakeyid = sealWith.keyId;
  return { eventId, source, deliveryId, fingerprint, key, subjectRef: facts.subjectRef, receivedAt: init.receivedAt, record: encodeEvent(event, key) };
}

/** Whose data key seals a webhook: its subject's, else its session's, else (neither named) its delivery's. */
export function dataKeyOwnerOf(facts: DeliveryFacts, payload: Record<string, unknown>): DataKeyOwner {
  return dataKeyOwner(facts.subjectRef, facts.sessionId) ?? { sessionId: facts.deliveryId ?? `content:${fingerprintOf(payload)}` };
}

const textOf = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);

/** The JSON text without a UTF-8 byte order mark (the parser skipped it; a reader's JSON.parse would not). */
const withoutBom = (json: Buffer): Buffer => (json[0] === 0xef && json[1] === 0xbb && json[2] === 0xbf ? json.subarray(3) : json);
