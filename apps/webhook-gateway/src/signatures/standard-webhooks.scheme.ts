import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { WebhookRejection } from '../ingest/webhook-rejection';
import { checkTimestamp, singleHeader, stringField, unixSecondsToIso, type DeliveryFacts, type SignatureScheme, type SignedRequest } from './signature-scheme';

const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** A `whsec_` secret whose key is 24 to 64 bytes, as the Standard Webhooks spec asks. */
export function isStandardWebhookSecret(secret: string): boolean {
  const m = SECRET.exec(secret);
  if (!m || m[1].length % 4 !== 0) return false;
  const bytes = Buffer.from(m[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/**
 * Standard Webhooks v1: `webhook-signature` is a space-separated list of `v1,<base64>` over
 * `id.timestamp.body`; the reference implementation (`standardwebhooks`) does the constant-time
 * comparison. Headers and the timestamp are checked here first so each failure has a precise reason.
 */
export class StandardWebhooksScheme implements SignatureScheme {
  readonly name = 'standard' as const;
  private readonly verifiers: Webhook[];

  constructor(secrets: string[]) {
    if (secrets.length === 0) throw new Error('the standard scheme needs at least one secret');
    this.verifiers = secrets.map((s) => new Webhook(s));
  }

  verify(request: SignedRequest): void {
    const headers = {
      'webhook-id': singleHeader(request.headers, 'webhook-id'),
      'webhook-timestamp': singleHeader(request.headers, 'webhook-timestamp'),
      'webhook-signature': singleHeader(request.headers, 'webhook-signature'),
    };
    checkTimestamp(headers['webhook-timestamp'], request.nowSeconds);
    let matched = false;
    for (const verifier of this.verifiers) matched = this.verifiedBy(verifier, request.rawBody, headers) || matched;
    if (!matched) throw new WebhookRejection('SIGNATURE_MISMATCH');
  }

  describe(request: SignedRequest): DeliveryFacts {
    const p = request.payload;
    const data = p.data && typeof p.data === 'object' && !Array.isArray(p.data) ? (p.data as Record<string, unknown>) : {};
    const occurredAt = typeof p.timestamp === 'string' && !Number.isNaN(Date.parse(p.timestamp)) ? new Date(p.timestamp).toISOString() : undefined;
    return {
      deliveryId: singleHeader(request.headers, 'webhook-id'),
      sessionId: stringField(p.session_id) ?? stringField(data.session_id),
      subjectRef: stringField(p.vendor_data) ?? stringField(data.vendor_data),
      occurredAt: occurredAt ?? unixSecondsToIso(singleHeader(request.headers, 'webhook-timestamp')),
    };
  }

  private verifiedBy(verifier: Webhook, body: Buffer, headers: Record<string, string>): boolean {
    try {
      verifier.verify(body, headers, { jsonParse: false });
      return true;
    } catch (err) {
      if (err instanceof WebhookVerificationError) return false;
      throw err;
    }
  }
}
