import { Counter, Gauge, Histogram } from 'prom-client';
import { metricOnce } from '@compliance/observability';


export const messagingMetrics = {
  processed: metricOnce(
    'messaging_events_processed_total',
    () => new Counter({ name: 'messaging_events_processed_total', help: 'Events handled, by outcome (applied, duplicate)', labelNames: ['group', 'topic', 'outcome'] }),
  ),
  retried: metricOnce(
    'messaging_events_retried_total',
    () => new Counter({ name: 'messaging_events_retried_total', help: 'Events sent to the retry topic after a handler failure', labelNames: ['group', 'topic'] }),
  ),
  consumerRestarts: metricOnce(
    'messaging_consumer_restarts_total',
    () => new Counter({ name: 'messaging_consumer_restarts_total', help: 'Consumers run again after kafkajs stopped them for a non-retriable error', labelNames: ['group'] }),
  ),
  deadLettered: metricOnce(
    'messaging_events_dead_lettered_total',
    () => new Counter({ name: 'messaging_events_dead_lettered_total', help: 'Events sent to the dead-letter topic, by reason', labelNames: ['group', 'topic', 'reason'] }),
  ),
  handlerSeconds: metricOnce(
    'messaging_handler_duration_seconds',
    () =>
      new Histogram({
        name: 'messaging_handler_duration_seconds',
        help: 'Time to apply one event, transaction included',
        labelNames: ['group', 'topic'],
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      }),
  ),
  lag: metricOnce(
    'messaging_consumer_lag',
    () => new Gauge({ name: 'messaging_consumer_lag', help: 'Records behind the high watermark, per partition', labelNames: ['group', 'topic', 'partition'] }),
  ),
  inboxPruned: metricOnce(
    'messaging_inbox_pruned_total',
    () => new Counter({ name: 'messaging_inbox_pruned_total', help: 'Inbox rows deleted once older than the inbox retention', labelNames: ['service'] }),
  ),
  published: metricOnce(
    'messaging_outbox_published_total',
    () => new Counter({ name: 'messaging_outbox_published_total', help: 'Outbox rows published to Kafka', labelNames: ['service'] }),
  ),
};
