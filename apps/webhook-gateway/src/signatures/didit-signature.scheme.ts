import { canonicalJson } from '@compliance/contracts';
import { WebhookRejection } from '../ingest/webhook-rejection';
import {
  checkTimestamp,
  hexMatchesAny,
  hmacSha256,
  optionalHeader,
  singleHeader,
  stringField,
  unixSecondsToIso,
  type DeliveryFacts,
  type SignatureScheme,
  type SignedRequest,
} from './signature-scheme';

/** Entity, activity and transaction webhooks are not about a verification session: no session_id, maybe no status. */
const ENTITY_TYPE = /^(user|business|activity|transaction)\./;

/**
 * Fields a Didit webhook must carry. Session webhooks need the session and (except data.updated,
 * which reports data changes only) the status; anything unrecognised is held to the session rule.
 */
function requiredFields(webhookType: string | undefined): string[] {
  if (!webhookType) return ['webhook_type'];
  if (ENTITY_TYPE.test(webhookType)) return [];
  return webhookType === 'data.updated' ? ['session_id'] : ['session_id', 'status'];
}

/** How old a Didit event may be when it arrives (its signed `timestamp`): Didit retries within minutes. */
export const DIDIT_MAX_EVENT_AGE_SEC = 86_400;

/**
 * Didit: `X-Timestamp` (unix seconds) must be fresh; `X-Signature` is the hex HMAC-SHA256 of the exact
 * body bytes, `X-Signature-V2` the same over the canonical JSON (what survives a proxy that re-encodes
 * the body). Either may match, with any configured secret (rotation).
 *
 * Neither MAC covers `X-Timestamp`, so a captured body could be sent again with a fresh header. The
 * body's own `timestamp` (or `created_at`) is covered: an event older than `maxEventAgeSec` is refused
 * as a replay, whatever the header says.
 */
export class DiditSignatureScheme implements SignatureScheme {
  readonly name = 'didit' as const;

  constructor(
    private readonly secrets: string[],
    private readonly maxEventAgeSec = DIDIT_MAX_EVENT_AGE_SEC,
  ) {
    if (secrets.length === 0) throw new Error('the didit scheme needs at least one secret');
  }

  verify(request: SignedRequest): void {
    const timestamp = singleHeader(request.headers, 'x-timestamp');
    const v1 = optionalHeader(request.headers, 'x-signature');
    const v2 = optionalHeader(request.headers, 'x-signature-v2');
    if (!v1 && !v2) throw new WebhookRejection('HEADER_MISSING');
    checkTimestamp(timestamp, request.nowSeconds);
    // The canonical form is only computed when the raw-bytes signature did not match.
    const signed =
      (v1 && hexMatchesAny(v1, this.secrets.map((s) => hmacSha256(s, request.rawBody)))) ||
      (v2 && hexMatchesAny(v2, this.canonicalDigests(request.payload)));
    if (!signed) throw new WebhookRejection('SIGNATURE_MISMATCH');
    this.checkEventAge(request);
  }

  /** The signed event time: a body older than the bound is a replay, even under a fresh `X-Timestamp`. */
  private checkEventAge({ payload, nowSeconds }: SignedRequest): void {
    const at = unixSeconds(payload.timestamp) ?? unixSeconds(payload.created_at);
    if (at === undefined) throw new WebhookRejection('PAYLOAD_FIELDS_MISSING', 'timestamp');
    if (nowSeconds - at > this.maxEventAgeSec) throw new WebhookRejection('EVENT_TOO_OLD');
  }

  describe(request: SignedRequest): DeliveryFacts {
    const p = request.payload;
    const webhookType = stringField(p.webhook_type) ?? stringField(p.event);
    const decision = p.decision && typeof p.decision === 'object' ? (p.decision as Record<string, unknown>) : {};
    const sessionId = stringField(p.session_id) ?? stringField(decision.session_id);
    const subjectRef = stringField(p.vendor_data);
    const missing = requiredFields(webhookType).filter((field) => (field === 'session_id' ? !sessionId : !stringField(p[field])));
    if (missing.length) throw new WebhookRejection('PAYLOAD_FIELDS_MISSING', missing.join(', '));
    return {
      deliveryId: stringField(p.event_id),
      sessionId,
      subjectRef,
      occurredAt: unixSecondsToIso(p.created_at) ?? unixSecondsToIso(p.timestamp),
    };
  }

  private canonicalDigests(payload: Record<string, unknown>): Buffer[] {
    const canonical = Buffer.from(canonicalJson(payload), 'utf8');
    return this.secrets.map((s) => hmacSha256(s, canonical));
  }
}

/** Unix seconds as Didit sends them (a JSON number, or digits in a string). */
function unixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d{1,12}$/.test(value)) return Number(value);
  return undefined;
}
