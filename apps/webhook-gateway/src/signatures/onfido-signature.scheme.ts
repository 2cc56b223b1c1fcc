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
  type DeliveryFacts,
  type SignatureScheme,
  type SignedRequest,
} from './signature-scheme';

/**
 * Onfido: `X-SHA2-Signature` is the hex HMAC-SHA256 of the exact body bytes with the webhook token;
 * any configured token may match (rotation).
 *
 * No timestamp is signed; a completed check or workflow run carries `completed_at_iso8601`, which
 * bounds how long a captured body can be replayed. Events without it (started, …) have only the dedupe.
 */
export class OnfidoSignatureScheme implements SignatureScheme {
  readonly name = 'onfido' as const;

  constructor(
    private readonly tokens: string[],
    private readonly maxEventAgeSec = DEFAULT_MAX_EVENT_AGE_SEC,
  ) {
    if (tokens.length === 0) throw new Error('the onfido scheme needs at least one token');
  }

  verify(request: SignedRequest): void {
    const signature = singleHeader(request.headers, 'x-sha2-signature');
    if (!hexMatchesAny(signature, this.tokens.map((t) => hmacSha256(t, request.rawBody)))) throw new WebhookRejection('SIGNATURE_MISMATCH');
    const completedAt = objectOf(request.payload).completed_at_iso8601;
    if (completedAt !== undefined && completedAt !== null) checkEventTime(completedAt, request.nowSeconds, this.maxEventAgeSec);
  }

  /** No subject reference in the payload: kyc-results reads the applicant from Onfido's API. No delivery id either. */
  describe(request: SignedRequest): DeliveryFacts {
    const action = stringField(objectField(request.payload.payload).action);
    const object = objectOf(request.payload);
    const id = stringField(object.id);
    requireFields({ 'payload.action': action, 'payload.object.id': id });
    return {
      sessionId: id,
      occurredAt: eventTimeIso(object.completed_at_iso8601),
      status: stringField(object.status),
      webhookType: action,
    };
  }
}

const objectOf = (payload: Record<string, unknown>): Record<string, unknown> => objectField(objectField(payload.payload).object);
