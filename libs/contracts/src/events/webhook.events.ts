import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, Min } from 'class-validator';

export const SIGNATURE_SCHEMES = ['didit', 'standard'] as const;

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
  @IsObject() payload!: Record<string, unknown>;
}

/** `webhook.rejected`: never the body, only what an operator needs. */
export class WebhookRejectedData {
  @IsString() @IsNotEmpty() source!: string;
  @IsString() @IsNotEmpty() reason!: string;
  @IsInt() status!: number;
  @IsOptional() @IsString() remoteAddress?: string;
  @IsInt() @Min(0) size!: number;
  @IsISO8601() receivedAt!: string;
}
