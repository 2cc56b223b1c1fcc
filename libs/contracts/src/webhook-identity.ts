import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { EventTypes } from './event-types';

/**
 * The identity of a received webhook, which every service relies on: the same source and content
 * always give the same `webhook.received` id, so each consumer's inbox dedupes a webhook re-sent
 * under a new delivery id even if it got past the gateway's own dedupe.
 */

/** Fields that change from one delivery attempt to the next while the content stays the same. */
const DELIVERY_SPECIFIC_FIELDS = ['event_id', 'timestamp'];

/** SHA-256 (hex) of the canonical JSON of the payload without its delivery-specific fields. */
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
