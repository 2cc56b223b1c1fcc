import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { encodeEvent, EventSources, EventTypes, newEvent, Topics, type DomainEvent, type WebhookRejectedData } from '@compliance/contracts';
import { addToOutbox, OutboxRelay } from '@compliance/messaging';
import { InboundPublisher } from '../spool/inbound-publisher';
import { KafkaCircuit } from '../spool/kafka-circuit';
import { SourceRegistry } from '../signatures/source-registry';
import { FailureThrottle } from './failure-throttle';
import { gatewayMetrics as metrics } from './gateway-metrics';
import { WebhookRejection } from './webhook-rejection';

/** What is known about a request whatever happens to it. */
export interface RequestAttempt {
  source: string;
  remoteAddress?: string;
  /** Body bytes read so far (or the Content-Length that was refused). */
  size: number;
  receivedAt: Date;
}

export interface Rejected {
  rejection: WebhookRejection;
  /** The webhook.rejected event id, returned to the caller to quote to operators. */
  requestId: string;
}

/**
 * Every refused request: throttling of repeated unauthenticated failures, a `webhook.rejected` event
 * (never the body) and the metric by reason. The event goes to Kafka, or to the outbox when Kafka is
 * failing, so the answer never waits for it.
 */
@Injectable()
export class RejectionReporter {
  constructor(
    private readonly throttle: FailureThrottle,
    private readonly publisher: InboundPublisher,
    private readonly circuit: KafkaCircuit,
    private readonly sources: SourceRegistry,
    private readonly dataSource: DataSource,
    private readonly logger: PinoLogger,
    private readonly relay: OutboxRelay,
  ) {}

  report(rejection: WebhookRejection, attempt: RequestAttempt): Rejected {
    const retryAfter = rejection.unauthenticated && attempt.remoteAddress ? this.throttle.recordFailure(attempt.remoteAddress) : undefined;
    const final = retryAfter ? new WebhookRejection('TOO_MANY_FAILURES', undefined, retryAfter) : rejection;
    const data: WebhookRejectedData = {
      source: attempt.source.slice(0, 100) || '(none)',
      reason: final.reason,
      code: final.answer.code,
      status: final.status,
      remoteAddress: attempt.remoteAddress,
      size: attempt.size,
      receivedAt: attempt.receivedAt.toISOString(),
    };
    const event = newEvent({ type: EventTypes.WebhookRejected, source: EventSources.WebhookGateway, data });
    this.publish(event, attempt.remoteAddress ?? data.source);
    const source = this.sources.schemeOf(attempt.source) ? attempt.source : 'unknown';
    metrics.rejected.inc({ source, reason: final.reason, status: String(final.status) });
    return { rejection: final, requestId: event.id };
  }

  private publish(event: DomainEvent, key: string): void {
    if (this.circuit.isOpen()) {
      void this.viaOutbox(event, key);
      return;
    }
    this.publisher.publish(Topics.WebhooksRejected, encodeEvent(event, key)).done.catch(() => this.viaOutbox(event, key));
  }

  private async viaOutbox(event: DomainEvent, key: string): Promise<void> {
    try {
      await addToOutbox(this.dataSource.manager, Topics.WebhooksRejected, key, event);
      this.relay.kick();
    } catch (err) {
      metrics.rejectionEventsLost.inc();
      this.logger.warn({ err: (err as Error).message }, 'webhook.rejected event lost: neither Kafka nor the outbox took it');
    }
  }
}
