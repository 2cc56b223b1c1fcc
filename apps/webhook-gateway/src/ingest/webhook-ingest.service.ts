import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { WebhookGatewayConfig } from '../webhook-gateway.config';
import { SourceRegistry } from '../signatures/source-registry';
import type { SignedRequest } from '../signatures/signature-scheme';
import { FailureThrottle } from './failure-throttle';
import { gatewayMetrics as metrics } from './gateway-metrics';
import { toInboundWebhook } from './inbound-webhook';
import { RejectionReporter, type Rejected, type RequestAttempt } from './rejection-reporter';
import { checkMediaType, declaredLength, mustCloseAfterRefusal, parseJsonObject, readRawBody } from './request-body';
import { WebhookAcceptance, type Accepted } from './webhook-acceptance';
import { WebhookRejection } from './webhook-rejection';
import { WebhookDataKeys } from './webhook-data-keys';
import { activeTraceparent } from '@compliance/platform';

export type IngestOutcome = ({ kind: 'accepted' } & Accepted) | ({ kind: 'rejected'; closeConnection: boolean } & Rejected);

/**
 * One webhook request, cheapest checks first: an address not throttled, known source, JSON media
 * type, body within the limit (read as raw bytes), a JSON object of bounded depth, authentic and
 * fresh, the provider's required fields; then made durable. Every refusal is a WebhookRejection,
 * answered and reported in one place.
 */
@Injectable()
export class WebhookIngestService {
  private readonly maxBodyBytes: number;

  constructor(
    config: WebhookGatewayConfig,
    private readonly sources: SourceRegistry,
    private readonly throttle: FailureThrottle,
    private readonly acceptance: WebhookAcceptance,
    private readonly rejections: RejectionReporter,
    private readonly logger: PinoLogger,
    private readonly dataKeys: WebhookDataKeys,
  ) {
    this.maxBodyBytes = config.WEBHOOK_MAX_BODY_BYTES;
  }

  async receive(req: IncomingMessage, source: string): Promise<IngestOutcome> {
    const attempt: RequestAttempt = { source, remoteAddress: remoteAddressOf(req), size: declaredLength(req), receivedAt: new Date() };
    metrics.received.inc({ source: this.sources.schemeOf(source) ? source : 'unknown' });
    // Decided before anything is read: a throttled flood costs no reading, parsing or verifying.
    // A body still arriving is not drained either: the connection is closed instead.
    const retryAfter = attempt.remoteAddress === undefined ? undefined : this.throttle.blockedFor(attempt.remoteAddress);
    if (retryAfter !== undefined) {
      const throttled = new WebhookRejection('TOO_MANY_FAILURES', undefined, retryAfter);
      return { kind: 'rejected', closeConnection: !req.complete, ...this.rejections.report(throttled, attempt) };
    }
    try {
      return { kind: 'accepted', ...(await this.ingest(req, attempt)) };
    } catch (err) {
      if (!(err instanceof WebhookRejection)) throw err;
      return { kind: 'rejected', closeConnection: mustCloseAfterRefusal(req, this.maxBodyBytes), ...this.rejections.report(err, attempt) };
    }
  }

  private async ingest(req: IncomingMessage, attempt: RequestAttempt): Promise<Accepted> {
    const scheme = this.sources.schemeOf(attempt.source);
    if (!scheme) throw new WebhookRejection('UNKNOWN_SOURCE');
    checkMediaType(req.headers['content-type']);
    const rawBody = await readRawBody(req, this.maxBodyBytes, attempt);
    const signed: SignedRequest = {
      rawBody,
      payload: parseJsonObject(rawBody),
      headers: req.headersDistinct,
      nowSeconds: Math.floor(Date.now() / 1000),
    };
    scheme.verify(signed);
    const facts = scheme.describe(signed);
    const webhook = toInboundWebhook({
      source: attempt.source,
      scheme: scheme.name,
      facts,
      sealWith: await this.dataKeys.keyFor(facts, signed.payload),
      payloadJson: rawBody,
      payload: signed.payload,
      receivedAt: attempt.receivedAt,
      // With tracing on, the request's span (a child of the caller's traceparent, if it sent one).
      traceparent: activeTraceparent() ?? req.headersDistinct.traceparent?.[0],
    });
    try {
      return await this.acceptance.accept(webhook);
    } catch (err) {
      if (err instanceof WebhookRejection) throw err;
      // A fault of ours after verification: an honest 503 the provider retries, never a bare 500.
      this.logger.error({ err: (err as Error).message, eventId: webhook.eventId }, 'verified webhook not accepted');
      throw new WebhookRejection('UNAVAILABLE', undefined, 30);
    }
  }
}

function remoteAddressOf(req: IncomingMessage): string | undefined {
  return req.socket.remoteAddress?.replace(/^::ffff:/, '');
}
