import { createHmac } from 'node:crypto';
import { WebhookRejection } from '../ingest/webhook-rejection';
import {
  checkEventTime,
  DEFAULT_MAX_EVENT_AGE_SEC,
  eventTimeIso,
  hexMatchesAny,
  objectField,
  requireFields,
  singleHeader,
  stringField,
  type DeliveryFacts,
  type SignatureScheme,
  type SignedRequest,
} from './signature-scheme';

/** `X-Payload-Digest-Alg` → Node's hash name; any other value is refused, never guessed. */
const DIGEST_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['HMAC_SHA1_HEX', 'sha1'],
  ['HMAC_SHA256_HEX', 'sha256'],
  ['HMAC_SHA512_HEX', 'sha512'],
]);

/**
 * Sumsub: `X-Payload-Digest` is the hex HMAC of the exact body bytes with the secret key, under the
 * algorithm `X-Payload-Digest-Alg` names; any configured secret may match (rotation).
 *
 * No header timestamp is signed, so the body's own `createdAtMs` (UTC `yyyy-MM-dd HH:mm:ss.SSS`, or
 * ISO 8601) bounds how long a captured body can be replayed.
 */
export class SumsubSignatureScheme implements SignatureScheme {
  readonly name = 'sumsub' as const;

  constructor(
    private readonly secrets: string[],
    private readonly maxEventAgeSec = DEFAULT_MAX_EVENT_AGE_SEC,
  ) {
    if (secrets.length === 0) throw new Error('the sumsub scheme needs at least one secret');
  }

  verify(request: SignedRequest): void {
    const digest = singleHeader(request.headers, 'x-payload-digest');
    const hash = DIGEST_ALGORITHMS.get(singleHeader(request.headers, 'x-payload-digest-alg'));
    if (!hash) throw new WebhookRejection('SIGNATURE_MISMATCH');
    const expected = this.secrets.map((s) => createHmac(hash, s).update(request.rawBody).digest());
    if (!hexMatchesAny(digest, expected)) throw new WebhookRejection('SIGNATURE_MISMATCH');
    const createdAt = request.payload.createdAtMs;
    if (createdAt === undefined || createdAt === null) throw new WebhookRejection('PAYLOAD_FIELDS_MISSING', 'createdAtMs');
    checkEventTime(createdAt, request.nowSeconds, this.maxEventAgeSec);
  }

  /**
   * No delivery id: Sumsub's `correlationId` traces the request that caused the event, and one request
   * may cause several events, so it cannot tell deliveries apart; the content fingerprint does.
   */
  describe(request: SignedRequest): DeliveryFacts {
    const p = request.payload;
    const webhookType = stringField(p.type);
    const applicantId = stringField(p.applicantId);
    requireFields({ type: webhookType, applicantId });
    return {
      sessionId: applicantId,
      subjectRef: stringField(p.externalUserId),
      occurredAt: eventTimeIso(p.createdAtMs),
      status: stringField(objectField(p.reviewResult).reviewAnswer) ?? stringField(p.reviewStatus),
      webhookType,
    };
  }
}
