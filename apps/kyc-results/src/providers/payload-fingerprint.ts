import { createHash } from 'node:crypto';
import { canonicalJson } from '@compliance/contracts';

/** Fields that differ between deliveries of the same content (Didit re-sends under a new event_id). */
const DELIVERY_FIELDS = ['event_id', 'timestamp'];

/**
 * The suite's content fingerprint (team convention): sha256 of the canonical JSON of the payload
 * without delivery-specific fields. The gateway sends it along; this computes it when it did not.
 */
export function payloadFingerprint(payload: Record<string, unknown>): string {
  const content = Object.fromEntries(Object.entries(payload).filter(([key]) => !DELIVERY_FIELDS.includes(key)));
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}
