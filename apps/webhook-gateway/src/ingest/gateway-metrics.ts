import { Counter, Gauge, Histogram } from 'prom-client';
import { metricOnce } from '@compliance/observability';

// Several app instances may share a process (tests, the benchmark): register each metric once.

export const gatewayMetrics = {
  received: metricOnce(
    'webhook_requests_received_total',
    () => new Counter({ name: 'webhook_requests_received_total', help: 'Webhook requests received, by source ("unknown" for unconfigured names)', labelNames: ['source'] }),
  ),
  accepted: metricOnce(
    'webhook_accepted_total',
    () => new Counter({ name: 'webhook_accepted_total', help: 'Verified webhooks answered 202, by where they were made durable (kafka, spool)', labelNames: ['source', 'via'] }),
  ),
  duplicates: metricOnce(
    'webhook_duplicates_total',
    () => new Counter({ name: 'webhook_duplicates_total', help: 'Verified webhooks already received (same delivery id or same content), answered 200', labelNames: ['source', 'match'] }),
  ),
  rejected: metricOnce(
    'webhook_rejected_total',
    () => new Counter({ name: 'webhook_rejected_total', help: 'Requests turned away, by reason', labelNames: ['source', 'reason', 'status'] }),
  ),
  produceSeconds: metricOnce(
    'webhook_produce_duration_seconds',
    () =>
      new Histogram({
        name: 'webhook_produce_duration_seconds',
        help: 'Time from a verified webhook to Kafka acks=all (or to giving up within the budget), by outcome',
        labelNames: ['outcome'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4],
      }),
  ),
  spooled: metricOnce(
    'webhook_spooled_total',
    () => new Counter({ name: 'webhook_spooled_total', help: 'Verified webhooks written to the Postgres spool instead of Kafka, by reason', labelNames: ['reason'] }),
  ),
  spoolDepth: metricOnce('webhook_spool_depth', () => new Gauge({ name: 'webhook_spool_depth', help: 'Webhooks waiting in the spool for Kafka' })),
  relayed: metricOnce('webhook_spool_relayed_total', () => new Counter({ name: 'webhook_spool_relayed_total', help: 'Spooled webhooks published to Kafka by the relay' })),
  rejectionEventsLost: metricOnce(
    'webhook_rejection_events_lost_total',
    () => new Counter({ name: 'webhook_rejection_events_lost_total', help: 'webhook.rejected events neither Kafka nor the outbox could take' }),
  ),
};

let spoolAdds = 0;

/** A webhook went into the spool: the depth gauge counts it now, before the relay next reads the table. */
export function countSpooled(): void {
  spoolAdds++;
  gatewayMetrics.spoolDepth.inc();
}

/**
 * Sets the depth gauge from a count of the table, unless a webhook was spooled while the count ran: its
 * row may be missing from the count while its increment is already in the gauge, and setting the stale
 * count would hide it. The next count sets it.
 */
export async function setSpoolDepthFrom(count: () => Promise<number>): Promise<void> {
  const before = spoolAdds;
  const depth = await count();
  if (spoolAdds === before) gatewayMetrics.spoolDepth.set(depth);
}
