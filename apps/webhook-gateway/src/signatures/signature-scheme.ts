import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
  /** The provider's status and event type, where the payload does not keep them in top-level `status` / `webhook_type` (Didit's). */
  status?: string;
  webhookType?: string;
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
 * so the time taken says nothing about which secret (or how many bytes) matched. The hex must be
 * exactly as long as the digest (64 characters for SHA-256, 40 for SHA-1, 128 for SHA-512).
 */
export function hexMatchesAny(presented: string | undefined, expected: Buffer[]): boolean {
  if (!presented || !/^[0-9a-f]+$/.test(presented)) return false;
  const candidate = Buffer.from(presented, 'hex');
  let matched = false;
  for (const digest of expected) matched = (presented.length === digest.length * 2 && timingSafeEqual(candidate, digest)) || matched;
  return matched;
}

/** A presented token (an API key) against every accepted one, in constant time whatever their lengths. */
export function textMatchesAny(presented: string | undefined, accepted: string[]): boolean {
  if (presented === undefined) return false;
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  const candidate = sha256(presented);
  let matched = false;
  for (const token of accepted) matched = timingSafeEqual(candidate, sha256(token)) || matched;
  return matched;
}

/** How old a provider's signed event time may be (WEBHOOK_MAX_EVENT_AGE_SEC) unless configured otherwise. */
export const DEFAULT_MAX_EVENT_AGE_SEC = 86_400;

// ISO 8601 with a zone, or a date-time without one, which is UTC (Sumsub's `yyyy-MM-dd HH:mm:ss.SSS`).
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const UTC_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/** A provider's event time as ISO 8601 (UTC), or undefined when it is not a date-time string. */
export function eventTimeIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const ms = ZONED_TIME.test(text) ? Date.parse(text) : UTC_TIME.test(text) ? Date.parse(`${text.replace(' ', 'T')}Z`) : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * A signed event time against the clock, for providers whose signature covers no timestamp header:
 * older than `maxAgeSec` is a replay of a captured body, further ahead than the tolerance a broken
 * or forged clock (it would stretch how long the body can be replayed).
 */
export function checkEventTime(value: unknown, nowSeconds: number, maxAgeSec: number): void {
  const iso = eventTimeIso(value);
  if (iso === undefined) throw new WebhookRejection('TIMESTAMP_INVALID');
  const at = Date.parse(iso) / 1000;
  if (nowSeconds - at > maxAgeSec) throw new WebhookRejection('EVENT_TOO_OLD');
  if (at - nowSeconds > TIMESTAMP_TOLERANCE_SEC) throw new WebhookRejection('TIMESTAMP_OUT_OF_WINDOW');
}

/** A nested JSON object of a payload, or an empty one when it is absent or not an object. */
export function objectField(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Refuses a verified payload that lacks what its scheme must read, naming the fields (never values). */
export function requireFields(fields: Record<string, unknown>): void {
  const missing = Object.keys(fields).filter((name) => fields[name] === undefined);
  if (missing.length) throw new WebhookRejection('PAYLOAD_FIELDS_MISSING', missing.join(', '));
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
