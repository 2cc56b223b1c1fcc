import { WebhookRejection } from '../ingest/webhook-rejection';
import {
  checkEventTime,
  DEFAULT_MAX_EVENT_AGE_SEC,
  eventTimeIso,
  hexMatchesAny,
  hmacSha256,
  objectField,
  requireFields,
  singleHeader,
  stringField,
  textMatchesAny,
  type DeliveryFacts,
  type SignatureScheme,
  type SignedRequest,
} from './signature-scheme';

/**
 * Veriff: `X-HMAC-SIGNATURE` is the hex HMAC-SHA256 of the exact body bytes with the shared secret
 * key, and `X-AUTH-CLIENT` is the integration's API key. Both must match (any configured secret and
 * key: rotation); both are compared in full before either failure is told.
 *
 * No timestamp is signed; a decision's `verification.decisionTime` bounds how long a captured body
 * can be replayed.
 */
export class VeriffSignatureScheme implements SignatureScheme {
  readonly name = 'veriff' as const;

  constructor(
    private readonly secrets: string[],
    private readonly apiKeys: string[],
    private readonly maxEventAgeSec = DEFAULT_MAX_EVENT_AGE_SEC,
  ) {
    if (secrets.length === 0 || apiKeys.length === 0) throw new Error('the veriff scheme needs a shared secret and an API key');
  }

  verify(request: SignedRequest): void {
    const client = singleHeader(request.headers, 'x-auth-client');
    const signature = singleHeader(request.headers, 'x-hmac-signature');
    const clientKnown = textMatchesAny(client, this.apiKeys);
    const signed = hexMatchesAny(signature, this.secrets.map((s) => hmacSha256(s, request.rawBody)));
    if (!(clientKnown && signed)) throw new WebhookRejection('SIGNATURE_MISMATCH');
    const decisionTime = objectField(request.payload.verification).decisionTime;
    if (decisionTime !== undefined && decisionTime !== null) checkEventTime(decisionTime, request.nowSeconds, this.maxEventAgeSec);
  }

  /** A decision webhook: the session is `verification.id`, the integrator's reference `vendorData`. No delivery id. */
  describe(request: SignedRequest): DeliveryFacts {
    const verification = objectField(request.payload.verification);
    const id = stringField(verification.id);
    const status = stringField(verification.status);
    requireFields({ 'verification.id': id, 'verification.status': status });
    return {
      sessionId: id,
      subjectRef: stringField(verification.vendorData),
      occurredAt: eventTimeIso(verification.decisionTime),
      status,
      webhookType: 'verification.decision',
    };
  }
}
