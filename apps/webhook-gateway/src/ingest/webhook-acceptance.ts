import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Topics } from '@compliance/contracts';
import { WebhookGatewayConfig } from '../webhook-gateway.config';
import { InboundPublisher, type PublishOutcome, type PublishTicket } from '../spool/inbound-publisher';
import { KafkaCircuit } from '../spool/kafka-circuit';
import { SpoolRelay } from '../spool/spool-relay';
import { SpoolStore } from '../spool/spool.store';
import { DeliveryLedger, type Claim } from './delivery-ledger';
import type { KnownDelivery } from './delivery.repository';
import { countSpooled, gatewayMetrics as metrics } from './gateway-metrics';
import type { InboundWebhook } from './inbound-webhook';
import { WebhookRejection } from './webhook-rejection';

export interface Accepted {
  status: 200 | 202;
  id: string;
  duplicate?: true;
}

type SpoolReason = 'session_backlog' | 'kafka_unavailable' | 'produce_timeout' | 'produce_failed';

/** How long a produce still in flight after the budget may take to settle (kafkajs connection and send retries). */
const HOLD_MS = 120_000;
const RETRY_AFTER_SEC = 30;
/** A late answer that stored the webhook beats a quick 503 (the provider's retry is deduped). */
const LATE_CLAIM_WAIT_MS = 10_000;

/**
 * Makes a verified webhook durable before it is answered: Kafka (acks=all) within the budget, else
 * the Postgres spool; a duplicate gets the first delivery's id and no second event. Only when
 * neither Kafka nor Postgres can take it is the answer 503.
 */
@Injectable()
export class WebhookAcceptance {
  private readonly budgetMs: number;
  /** A pending claim older than this lost its owner (crash, or Postgres failing mid-way). */
  private readonly staleAfterMs: number;

  constructor(
    config: WebhookGatewayConfig,
    private readonly ledger: DeliveryLedger,
    private readonly publisher: InboundPublisher,
    private readonly spool: SpoolStore,
    private readonly relay: SpoolRelay,
    private readonly circuit: KafkaCircuit,
    private readonly logger: PinoLogger,
  ) {
    this.budgetMs = config.WEBHOOK_PRODUCE_BUDGET_MS;
    this.staleAfterMs = this.budgetMs + 5000;
  }

  async accept(webhook: InboundWebhook): Promise<Accepted> {
    const claim = await this.ledger.claim(webhook, Math.min(1000, this.budgetMs), this.staleAfterMs);
    if (claim.kind === 'new') return this.deliver(webhook, claim.backlog);
    if (claim.kind === 'unavailable') {
      // Slow is not down: the claim dedupes, and it tells whether the session has webhooks in the spool,
      // which a webhook sent to Kafka now would overtake. Worth waiting for while Postgres still answers.
      const late = await withinMs(claim.late, LATE_CLAIM_WAIT_MS);
      if (late?.kind === 'new') return this.deliver(webhook, late.backlog);
      if (late?.kind === 'duplicate') return this.answerDuplicate(webhook, late);
      return this.deliverWithoutLedger(webhook, claim.late);
    }
    return this.answerDuplicate(webhook, claim);
  }

  private async deliver(webhook: InboundWebhook, backlog: boolean): Promise<Accepted> {
    // Later webhooks of a session with spooled ones must queue behind them, or they would overtake.
    if (backlog) return this.toSpool(webhook, 'session_backlog');
    if (this.circuit.isOpen()) return this.toSpool(webhook, 'kafka_unavailable');
    const ticket = this.publisher.publish(Topics.WebhooksInbound, webhook.record);
    const outcome = await this.timed(ticket);
    if (outcome === 'sent') {
      this.ledger.settleProduced(webhook.eventId);
      metrics.accepted.inc({ source: webhook.source, via: 'kafka' });
      return { status: 202, id: webhook.eventId };
    }
    this.circuit.open();
    const inFlight = outcome === 'timeout' && !ticket.withdraw() ? ticket : undefined;
    return this.toSpool(webhook, outcome === 'timeout' ? 'produce_timeout' : 'produce_failed', inFlight);
  }

  private async toSpool(webhook: InboundWebhook, reason: SpoolReason, inFlight?: PublishTicket): Promise<Accepted> {
    try {
      await this.spool.add(webhook, inFlight ? HOLD_MS : 0);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, eventId: webhook.eventId }, 'neither Kafka nor the spool took a verified webhook');
      await this.ledger.release(webhook.eventId).catch(() => undefined);
      throw new WebhookRejection('UNAVAILABLE', undefined, RETRY_AFTER_SEC);
    }
    if (inFlight) this.followHeldProduce(webhook.eventId, inFlight);
    metrics.spooled.inc({ reason });
    countSpooled();
    metrics.accepted.inc({ source: webhook.source, via: 'spool' });
    this.relay.kick();
    return { status: 202, id: webhook.eventId };
  }

  /** The spooled copy of a produce that may still land: dropped if it does, released to the relay if not. */
  private followHeldProduce(eventId: string, ticket: PublishTicket): void {
    ticket.done
      .then(
        async () => {
          this.circuit.close();
          await this.spool.forgetProduced(eventId);
        },
        () => this.spool.releaseHold(eventId),
      )
      .catch((err) => this.logger.warn({ err: (err as Error).message, eventId }, 'spool: could not settle a held webhook; its hold expires'))
      .finally(() => this.relay.kick());
  }

  /**
   * Postgres failed the claim, or stayed silent past LATE_CLAIM_WAIT_MS. Kafka alone is tried (no dedupe
   * here; downstream inboxes dedupe by the deterministic event id; a session's webhooks still in the spool
   * may be overtaken, which kyc-results orders by event time). If Kafka cannot take it either, a late
   * claim still makes the spool a durable place. Only a Postgres that fails leads to 503.
   */
  private async deliverWithoutLedger(webhook: InboundWebhook, lateClaim: Promise<Claim | undefined>): Promise<Accepted> {
    let inFlight: PublishTicket | undefined;
    if (!this.circuit.isOpen()) {
      const ticket = this.publisher.publish(Topics.WebhooksInbound, webhook.record);
      const outcome = await this.timed(ticket);
      if (outcome === 'sent') {
        void lateClaim.then((claim) => {
          if (claim?.kind === 'new') this.ledger.settleProduced(webhook.eventId);
        });
        metrics.accepted.inc({ source: webhook.source, via: 'kafka' });
        return { status: 202, id: webhook.eventId };
      }
      this.circuit.open();
      inFlight = outcome === 'timeout' && !ticket.withdraw() ? ticket : undefined;
    }
    const claim = await withinMs(lateClaim, LATE_CLAIM_WAIT_MS);
    if (claim?.kind === 'new') return this.toSpool(webhook, 'kafka_unavailable', inFlight);
    if (claim?.kind === 'duplicate') return this.answerDuplicate(webhook, claim);
    void lateClaim.then(async (late) => {
      if (late?.kind === 'new') await this.ledger.release(webhook.eventId).catch(() => undefined);
    });
    throw new WebhookRejection('UNAVAILABLE', undefined, RETRY_AFTER_SEC);
  }

  /** Answers with the first delivery's id once that one is durable; takes over a claim whose owner died. */
  private async answerDuplicate(webhook: InboundWebhook, first: KnownDelivery & { match: 'delivery' | 'content' }): Promise<Accepted> {
    let known: KnownDelivery | undefined = first;
    if (known.state === 'pending' && !known.stale) known = await this.ledger.awaitSettled(known.eventId, this.staleAfterMs);
    if (!known) return this.accept(webhook); // released after a 503: this delivery may claim it
    if (known.state === 'pending' && known.eventId === webhook.eventId) {
      const takeover = await this.ledger.takeOver(known.eventId, this.staleAfterMs);
      if (takeover) return this.deliver(webhook, takeover.backlog);
    }
    metrics.duplicates.inc({ source: webhook.source, match: first.match });
    return { status: 200, id: known.eventId, duplicate: true };
  }

  private async timed(ticket: PublishTicket): Promise<PublishOutcome> {
    const stop = metrics.produceSeconds.startTimer();
    const outcome = await ticket.within(this.budgetMs);
    stop({ outcome });
    return outcome;
  }
}

/** The promise's value, or undefined when it takes longer than `ms`. */
function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
