import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { encodeEvent, EventSources, EventTypes, newEvent, Topics, type DomainEvent, type WebhookRejectedData } from '@compliance/contracts';
import { addToOutbox, OutboxRelay } from '@compliance/messaging';
import { InboundPublisher } from '../spool/inbound-publisher';
import { KafkaCircuit } from '../spool/kafka-circuit';
import { SourceRegistry } from '../signatures/source-registry';
import { WebhookGatewayConfig } from '../webhook-gateway.config';
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
  /** The id of the webhook.rejected event that reports this refusal, for the caller to quote to operators. */
  requestId: string;
}

/** `webhook.rejected` data as the gateway sends it: `count` always (how many refusals it stands for). */
export interface RejectionReport extends WebhookRejectedData {
  count: number;
}

/**
 * Kinds of refusal (address, source, reason) tallied on their own per window. Past it the window's
 * other refusals are tallied per source and reason without their address, so a flood spread over
 * many addresses still costs a bounded number of events per window.
 */
const MAX_TALLIES_PER_WINDOW = 100;
/** How long shutdown waits for the last window's events to be taken by Kafka or the outbox. */
const FINAL_REPORT_WAIT_MS = 5000;

/** What refusals reported together have in common. */
type Kind = Pick<WebhookRejectedData, 'source' | 'reason' | 'code' | 'status' | 'remoteAddress'>;

interface Tally {
  kind: Kind;
  /** Refusals not reported yet, their bytes, and when the first of them arrived. */
  count: number;
  size: number;
  firstAt?: Date;
  /** The id the window's summary will have: quoted to every refusal it is going to count. */
  summaryId: string;
}

/**
 * Every refused request: counted in the metric and by the failure throttle one by one, but reported
 * as `webhook.rejected` (never the body) once per kind and window. The audit trail keeps each event
 * for good, so a flood must not cost an event per request: the first refusal of an address, source
 * and reason in a window is reported at once (count 1, so a new problem shows without delay), the
 * rest when the window ends, in one event with their count. Events go to Kafka, or to the outbox when
 * Kafka is failing; no answer waits for them.
 */
@Injectable()
export class RejectionReporter implements OnModuleInit, OnModuleDestroy {
  private readonly intervalMs: number;
  private tallies = new Map<string, Tally>();
  /** Refusals past MAX_TALLIES_PER_WINDOW, by source and reason. */
  private folded = new Map<string, Tally>();
  private windowStart = new Date();
  private timer?: NodeJS.Timeout;

  constructor(
    config: WebhookGatewayConfig,
    private readonly throttle: FailureThrottle,
    private readonly publisher: InboundPublisher,
    private readonly circuit: KafkaCircuit,
    private readonly sources: SourceRegistry,
    private readonly dataSource: DataSource,
    private readonly logger: PinoLogger,
    private readonly relay: OutboxRelay,
  ) {
    this.intervalMs = config.WEBHOOK_REJECTION_REPORT_INTERVAL_MS;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.endWindow(), this.intervalMs);
    this.timer.unref();
  }

  /** Shutdown: the refusals of the unfinished window are reported before the producer goes. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, FINAL_REPORT_WAIT_MS)));
    await Promise.race([Promise.all(this.endWindow()), waited]);
    clearTimeout(timer);
  }

  report(rejection: WebhookRejection, attempt: RequestAttempt): Rejected {
    if (rejection.unauthenticated && attempt.remoteAddress) this.throttle.recordFailure(attempt.remoteAddress);
    const configured = this.sources.schemeOf(attempt.source) !== undefined;
    metrics.rejected.inc({ source: configured ? attempt.source : 'unknown', reason: rejection.reason, status: String(rejection.status) });

    const source = attempt.source.slice(0, 100) || '(none)';
    const key = `${attempt.remoteAddress ?? ''}\n${source}\n${rejection.reason}`;
    let tally = this.tallies.get(key);
    if (!tally && this.tallies.size < MAX_TALLIES_PER_WINDOW) {
      const kind = kindOf(source, rejection, attempt.remoteAddress);
      this.tallies.set(key, newTally(kind));
      const data: RejectionReport = { ...kind, count: 1, size: attempt.size, receivedAt: attempt.receivedAt.toISOString() };
      const event = newEvent({ type: EventTypes.WebhookRejected, source: EventSources.WebhookGateway, data });
      void this.publish(event, attempt.remoteAddress ?? source);
      return { rejection, requestId: event.id };
    }
    if (!tally) {
      const label = configured ? attempt.source : 'unknown';
      const foldedKey = `${label}\n${rejection.reason}`;
      tally = this.folded.get(foldedKey) ?? newTally(kindOf(label, rejection, undefined));
      this.folded.set(foldedKey, tally);
    }
    tally.count++;
    tally.size += attempt.size;
    tally.firstAt ??= attempt.receivedAt;
    return { rejection, requestId: tally.summaryId };
  }

  /** Closes the window: one summary for each kind of refusal with some not reported yet. */
  private endWindow(now = new Date()): Array<Promise<void>> {
    const tallies = [...this.tallies.values(), ...this.folded.values()];
    const window = { windowStart: this.windowStart.toISOString(), windowEnd: now.toISOString() };
    this.tallies = new Map();
    this.folded = new Map();
    this.windowStart = now;
    return tallies
      .filter((t) => t.count > 0)
      .map((t) => {
        const data: RejectionReport = { ...t.kind, count: t.count, size: t.size, receivedAt: (t.firstAt ?? now).toISOString(), ...window };
        const event = newEvent({ type: EventTypes.WebhookRejected, source: EventSources.WebhookGateway, id: t.summaryId, time: now, data });
        return this.publish(event, t.kind.remoteAddress ?? t.kind.source);
      });
  }

  /** Settles once Kafka or the outbox took the event, or it was counted as lost; never rejects. */
  private publish(event: DomainEvent, key: string): Promise<void> {
    if (this.circuit.isOpen()) return this.viaOutbox(event, key);
    return this.publisher.publish(Topics.WebhooksRejected, encodeEvent(event, key)).done.catch(() => this.viaOutbox(event, key));
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

function kindOf(source: string, rejection: WebhookRejection, remoteAddress: string | undefined): Kind {
  return { source, reason: rejection.reason, code: rejection.answer.code, status: rejection.status, remoteAddress };
}

function newTally(kind: Kind): Tally {
  return { kind, count: 0, size: 0, summaryId: randomUUID() };
}
