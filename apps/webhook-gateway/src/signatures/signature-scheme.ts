import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SchemeName } from '../webhook-gateway.config';
import { WebhookRejection } from '../ingest/webhook-rejection';

/** A request whose body was read in full and parsed as a JSON object. */
export interface SignedRequest {
  /** The exact bytes received: signatures are checked over these, never over a re-serialisation. */
  rawBody: Buffer;
  payload: Record<string, unknown>;
  /** Every value of every header as received (Node's headersDistinct, lower-case names). */
  headers: Record<string, string[] | undefined>;
  nowSeconds: number;
}

/** What a verified payload says about its delivery. */
export interface DeliveryFacts {
  /** The provider's delivery id, when it sends one (Didit event_id, Standard Webhooks webhook-id). */
  deliveryId?: string;
  sessionId?: string;
  subjectRef?: string;
  /** When the provider says the event happened (ISO 8601). */
  occurredAt?: string;
}

/** One provider's way of signing webhooks; adding a provider means adding one implementation. */
export interface SignatureScheme {
  readonly name: SchemeName;
  /** Throws a 401 WebhookRejection unless the request is authentic and fresh. */
  verify(request: SignedRequest): void;
  /** Reads the delivery facts of a verified request; throws a 400 WebhookRejection on a wrong shape. */
  describe(request: SignedRequest): DeliveryFacts;
}

/** Providers sign with a clock that may drift either way; beyond this a request is a replay or broken. */
export const TIMESTAMP_TOLERANCE_SEC = 300;

/** The one value of a header; missing, empty and repeated headers are refused the same way as a wrong one. */
export function singleHeader(headers: SignedRequest['headers'], name: string): string {
  const value = optionalHeader(headers, name);
  if (value === undefined) throw new WebhookRejection('HEADER_MISSING');
  return value;
}

export function optionalHeader(headers: SignedRequest['headers'], name: string): string | undefined {
  const values = headers[name] ?? [];
  if (values.length > 1) throw new WebhookRejection('HEADER_DUPLICATED');
  const value = values[0]?.trim();
  return value ? value : undefined;
}

/** Unix seconds, digits only (parseInt would take "123abc"), within the tolerance either way. */
export function checkTimestamp(value: string, nowSeconds: number): number {
  if (!/^\d{1,12}$/.test(value)) throw new WebhookRejection('TIMESTAMP_INVALID');
  const seconds = Number(value);
  if (Math.abs(nowSeconds - seconds) > TIMESTAMP_TOLERANCE_SEC) throw new WebhookRejection('TIMESTAMP_OUT_OF_WINDOW');
  return seconds;
}

export const hmacSha256 = (secret: string, data: Buffer | string): Buffer => createHmac('sha256', secret).update(data).digest();

/**
 * Compares a presented lowercase-hex signature with every expected digest without an early exit,
 * so the time taken says nothing about which secret (or how many bytes) matched.
 */
export function hexMatchesAny(presented: string | undefined, expected: Buffer[]): boolean {
  if (!presented || !/^[0-9a-f]{64}$/.test(presented)) return false;
  const candidate = Buffer.from(presented, 'hex');
  let matched = false;
  for (const digest of expected) matched = timingSafeEqual(candidate, digest) || matched;
  return matched;
}

export function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Unix seconds (number or digit string) → ISO 8601. */
export function unixSecondsToIso(value: unknown): string | undefined {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 1e11) return undefined;
  return new Date(Math.round(n * 1000)).toISOString();
}
