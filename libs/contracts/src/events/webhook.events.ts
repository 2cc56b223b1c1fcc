import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, Min } from 'class-validator';

export const SIGNATURE_SCHEMES = ['didit', 'standard'] as const;

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

/** `webhook.received`: a verified webhook, durable on webhooks.inbound.v1. */
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
  @IsObject() payload!: Record<string, unknown>;
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
