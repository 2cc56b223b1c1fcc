import { Controller, HttpCode, HttpStatus, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConsumes,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { WebhookIngestService } from './webhook-ingest.service';
import { RefusedWebhook, WebhookRefusalFilter } from './webhook-refusal.filter';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhookController {
  constructor(private readonly ingest: WebhookIngestService) {}

  @Post(':source')
  @ApiOperation({ summary: 'Receive a signed webhook', description: 'Authenticated by signature only (no API key). The body is verified as received.' })
  @ApiConsumes('application/json')
  @ApiHeader({ name: 'X-Timestamp', required: false, description: 'didit: unix seconds' })
  @ApiHeader({ name: 'X-Signature', required: false, description: 'didit: hex HMAC-SHA256 of the raw body' })
  @ApiHeader({ name: 'X-Signature-V2', required: false, description: 'didit: hex HMAC-SHA256 of the canonical JSON' })
  @ApiHeader({ name: 'webhook-id', required: false, description: 'standard: Standard Webhooks message id' })
  @ApiHeader({ name: 'webhook-timestamp', required: false, description: 'standard: unix seconds' })
  @ApiHeader({ name: 'webhook-signature', required: false, description: 'standard: space-separated v1,<base64> list' })
  @ApiAcceptedResponse({ description: 'Durable (in Kafka or in the spool): `{ id }`, the webhook.received event id' })
  @ApiOkResponse({ description: 'Already received (same delivery id or same content): `{ id, duplicate: true }` with the first id' })
  @ApiBadRequestResponse({ description: 'INVALID_JSON (also for JSON nested deeper than 64 levels: reason JSON_TOO_DEEP), NOT_A_JSON_OBJECT, INVALID_BODY, INVALID_PAYLOAD' })
  @ApiUnauthorizedResponse({ description: 'INVALID_SIGNATURE: missing, stale or wrong signature (never says which)' })
  @ApiNotFoundResponse({ description: 'UNKNOWN_SOURCE' })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE' })
  @ApiUnsupportedMediaTypeResponse({ description: 'UNSUPPORTED_MEDIA_TYPE' })
  @ApiTooManyRequestsResponse({ description: 'TOO_MANY_FAILURES: this address sent too many unauthenticated requests; answered before the body is read (Retry-After)' })
  @ApiServiceUnavailableResponse({ description: 'UNAVAILABLE: neither Kafka nor Postgres could take it (Retry-After)' })
  @HttpCode(HttpStatus.ACCEPTED)
  @UseFilters(WebhookRefusalFilter)
  async receive(@Param('source') source: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ id: string; duplicate?: true }> {
    // The usual `/webhooks/<source>` is answered by the fast path (webhook.fast-path.ts) before it
    // gets here; this route takes the other spellings Express matches (letter case, encoded names).
    const outcome = await this.ingest.receive(req, source);
    if (outcome.kind === 'rejected') throw new RefusedWebhook(outcome);
    // 202 when it became durable now, 200 when it had been received before.
    res.status(outcome.status);
    return outcome.duplicate ? { id: outcome.id, duplicate: true } : { id: outcome.id };
  }
}
