import { IsBoolean, IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Min, ValidateBy } from 'class-validator';
import { isSealed } from '../sealed-fields';

export const SIGNATURE_SCHEMES = ['didit', 'standard', 'sumsub', 'onfido', 'veriff', 'persona'] as const;

/** How a `webhook.received` came in: a provider's delivery, or the reconciler asking the provider's API for a transition no webhook brought. */
export const WEBHOOK_ORIGINS = ['webhook', 'reconciliation'] as const;
export type WebhookOrigin = (typeof WEBHOOK_ORIGINS)[number];

/**
 * Why the gateway turned a request away (`webhook.rejected` reason, metric label). Finer than the
 * HTTP answer on purpose: the caller only learns a stable public code, operators see this.
 */
export const WEBHOOK_REJECTION_REASONS = [
  'UNKNOWN_SOURCE',
  'UNSUPPORTED_MEDIA_TYPE',
  'BODY_TOO_LARGE',
  'BODY_INCOMPLETE',
  'EMPTY_BODY',
  'INVALID_JSON',
  'NOT_A_JSON_OBJECT',
  /** JSON nested deeper than the gateway reads (refused before it is parsed or canonicalised). */
  'JSON_TOO_DEEP',
  'HEADER_MISSING',
  'HEADER_DUPLICATED',
  'TIMESTAMP_INVALID',
  'TIMESTAMP_OUT_OF_WINDOW',
  'SIGNATURE_MISMATCH',
  /** Signed, but the event time the signature covers is older than the gateway accepts: a replay. */
  'EVENT_TOO_OLD',
  'PAYLOAD_FIELDS_MISSING',
  'TOO_MANY_FAILURES',
  'UNAVAILABLE',
] as const;
export type WebhookRejectionReason = (typeof WEBHOOK_REJECTION_REASONS)[number];

/** A JSON object, or the same object sealed under a data key (a `sealed.v1.` string; see sealed-fields.ts). */
export function IsObjectOrSealed(): PropertyDecorator {
  return ValidateBy({
    name: 'isObjectOrSealed',
    validator: {
      validate: (value: unknown) => isSealed(value) || (typeof value === 'object' && value !== null && !Array.isArray(value)),
      defaultMessage: () => '$property must be an object or a sealed value',
    },
  });
}

/**
 * `webhook.received`: a verified webhook, durable on webhooks.inbound.v1. With a keyring configured
 * the provider's payload (names, birth date, documents, addresses) is sealed under the data key of
 * the subject (else of the session); the routing fields beside it stay in clear. A webhook about a
 * subject (else session) erased before carries no payload at all (`redacted`): only the routing fields.
 */
export class WebhookReceivedData {
  @IsString() @IsNotEmpty() source!: string;
  @IsIn(SIGNATURE_SCHEMES) scheme!: string;
  @IsISO8601() receivedAt!: string;
  /** The provider's delivery id (Didit event_id, Standard Webhooks webhook-id). */
  @IsString() @IsNotEmpty() deliveryId!: string;
  /** Hash of the payload without delivery-specific fields: the same content under a new delivery id. */
  @IsOptional() @IsString() fingerprint?: string;
  @IsOptional() @IsString() sessionId?: string;
  /** The provider's reference for the person (Didit vendor_data), when the payload carries one. */
  @IsOptional() @IsString() subjectRef?: string;
  /** The provider's status and webhook type (Didit `status`, `webhook_type`), in clear for routing and audit. */
  @IsOptional() @IsString() status?: string;
  @IsOptional() @IsString() webhookType?: string;
  /** The provider's payload as received, or sealed (`sealed.v1.…`, key in `ce_datakeyid`); `{}` when `redacted`. */
  @IsObjectOrSealed() payload!: Record<string, unknown> | string;
  /**
   * True when the gateway left the payload out (`payload` is `{}`, no `ce_datakeyid`): the subject (else
   * the session) was erased before this webhook came. Only the routing fields above say what happened.
   */
  @IsOptional() @IsBoolean() redacted?: boolean;
  /** `reconciliation` when the reconciler read it from the provider's API; absent (a delivered webhook) otherwise. */
  @IsOptional() @IsIn(WEBHOOK_ORIGINS) origin?: WebhookOrigin;
}

/** `webhook.rejected`: never the body, only what an operator needs. */
export class WebhookRejectedData {
  @IsString() @IsNotEmpty() source!: string;
  /** One of WEBHOOK_REJECTION_REASONS (kept a string so a newer gateway does not dead-letter at older consumers). */
  @IsString() @IsNotEmpty() reason!: string;
  /** The stable code the caller was answered with. */
  @IsOptional() @IsString() code?: string;
  @IsInt() status!: number;
  @IsOptional() @IsString() remoteAddress?: string;
  /** Body bytes read (or announced by Content-Length when the request was refused before reading); in a summary, their sum. */
  @IsInt() @Min(0) size!: number;
  /** When the (first) refused request arrived. */
  @IsISO8601() receivedAt!: string;
  /**
   * How many refused requests this event stands for: refusals are reported per address, source and
   * reason and window (the first at once, the rest summed at the end of the window), not one by one.
   */
  @IsOptional() @IsInt() @Min(1) count?: number;
  @IsOptional() @IsISO8601() windowStart?: string;
  @IsOptional() @IsISO8601() windowEnd?: string;
}
