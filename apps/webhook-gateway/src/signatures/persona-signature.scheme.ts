import { createHmac } from 'node:crypto';
import { WebhookRejection } from '../ingest/webhook-rejection';
import {
  checkTimestamp,
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

/** Persona sends two pairs while a secret is rotated; more than this is not a signature but work to do. */
const MAX_SIGNATURE_PAIRS = 8;

interface SignaturePair {
  t: string;
  v1: string;
}

/**
 * Persona: `Persona-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`; while a secret is
 * rotated the header carries several space-separated pairs. A pair counts when its `t` is within the
 * 300 s window and its `v1` matches with any configured secret (rotation on our side too). `t` is
 * signed, so a replay is refused by the window.
 */
export class PersonaSignatureScheme implements SignatureScheme {
  readonly name = 'persona' as const;

  constructor(private readonly secrets: string[]) {
    if (secrets.length === 0) throw new Error('the persona scheme needs at least one secret');
  }

  verify(request: SignedRequest): void {
    const pairs = parsePairs(singleHeader(request.headers, 'persona-signature'));
    if (!pairs) throw new WebhookRejection('SIGNATURE_MISMATCH');
    // A malformed `t` anywhere is refused as such; then only pairs inside the window are checked.
    const fresh = pairs.filter((pair) => withinWindow(pair.t, request.nowSeconds));
    if (fresh.length === 0) throw new WebhookRejection('TIMESTAMP_OUT_OF_WINDOW');
    let matched = false;
    for (const { t, v1 } of fresh) matched = hexMatchesAny(v1, this.secrets.map((s) => signedOver(s, t, request.rawBody))) || matched;
    if (!matched) throw new WebhookRejection('SIGNATURE_MISMATCH');
  }

  /** The event (`evt_…`) is the delivery; the object it is about (`inq_…`) the session. */
  describe(request: SignedRequest): DeliveryFacts {
    const event = objectField(request.payload.data);
    const attributes = objectField(event.attributes);
    const subject = objectField(objectField(attributes.payload).data);
    const subjectAttributes = objectField(subject.attributes);
    const name = stringField(attributes.name);
    const subjectId = stringField(subject.id);
    requireFields({ 'data.attributes.name': name, 'data.attributes.payload.data.id': subjectId });
    return {
      deliveryId: stringField(event.id),
      sessionId: subjectId,
      subjectRef: stringField(subjectAttributes['reference-id']),
      occurredAt: eventTimeIso(attributes['created-at']),
      status: stringField(subjectAttributes.status),
      webhookType: name,
    };
  }
}

const splitField = (field: string): [string, string] => {
  const at = field.indexOf('=');
  return at < 0 ? ['', field] : [field.slice(0, at), field.slice(at + 1)];
};

/** The `t=…,v1=…` pairs, separated by spaces (other fields ignored); undefined when none reads as one. */
function parsePairs(header: string): SignaturePair[] | undefined {
  const parts = header.split(/\s+/).filter(Boolean);
  if (parts.length > MAX_SIGNATURE_PAIRS) return undefined;
  const pairs: SignaturePair[] = [];
  for (const part of parts) {
    const fields = new Map(part.split(',').map((field) => splitField(field)));
    const t = fields.get('t');
    const v1 = fields.get('v1');
    if (t !== undefined && v1 !== undefined) pairs.push({ t, v1 });
  }
  return pairs.length ? pairs : undefined;
}

function withinWindow(t: string, nowSeconds: number): boolean {
  try {
    checkTimestamp(t, nowSeconds);
    return true;
  } catch (err) {
    if (err instanceof WebhookRejection && err.reason === 'TIMESTAMP_OUT_OF_WINDOW') return false;
    throw err;
  }
}

const signedOver = (secret: string, t: string, body: Buffer): Buffer => createHmac('sha256', secret).update(`${t}.`, 'utf8').update(body).digest();
