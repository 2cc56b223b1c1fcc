import { Counter, Gauge, Histogram, register } from 'prom-client';

// Several app instances may share a process (tests, the benchmark): register each metric once.
function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const gatewayMetrics = {
  received: once(
    'webhook_requests_received_total',
    () => new Counter({ name: 'webhook_requests_received_total', help: 'Webhook requests received, by source ("unknown" for unconfigured names)', labelNames: ['source'] }),
  ),
  accepted: once(
    'webhook_accepted_total',
    () => new Counter({ name: 'webhook_accepted_total', help: 'Verified webhooks answered 202, by where they were made durable (kafka, spool)', labelNames: ['source', 'via'] }),
  ),
  duplicates: once(
    'webhook_duplicates_total',
    () => new Counter({ name: 'webhook_duplicates_total', help: 'Verified webhooks already received (same delivery id or same content), answered 200', labelNames: ['source', 'match'] }),
  ),
  rejected: once(
    'webhook_rejected_total',
    () => new Counter({ name: 'webhook_rejected_total', help: 'Requests turned away, by reason', labelNames: ['source', 'reason', 'status'] }),
  ),
  produceSeconds: once(
    'webhook_produce_duration_seconds',
    () =>
      new Histogram({
        name: 'webhook_produce_duration_seconds',
        help: 'Time from a verified webhook to Kafka acks=all (or to giving up within the budget), by outcome',
        labelNames: ['outcome'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4],
      }),
  ),
  spooled: once(
    'webhook_spooled_total',
    () => new Counter({ name: 'webhook_spooled_total', help: 'Verified webhooks written to the Postgres spool instead of Kafka, by reason', labelNames: ['reason'] }),
  ),
  spoolDepth: once('webhook_spool_depth', () => new Gauge({ name: 'webhook_spool_depth', help: 'Webhooks waiting in the spool for Kafka' })),
  relayed: once('webhook_spool_relayed_total', () => new Counter({ name: 'webhook_spool_relayed_total', help: 'Spooled webhooks published to Kafka by the relay' })),
  rejectionEventsLost: once(
    'webhook_rejection_events_lost_total',
    () => new Counter({ name: 'webhook_rejection_events_lost_total', help: 'webhook.rejected events neither Kafka nor the outbox could take' }),
  ),
};
