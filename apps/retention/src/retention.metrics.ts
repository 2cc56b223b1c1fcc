import { Counter } from 'prom-client';
import { metricOnce } from '@compliance/observability';


export const retentionMetrics = {
  purgesDue: metricOnce('retention_purges_due_total', () => new Counter({ name: 'retention_purges_due_total', help: 'retention.purge.due commands emitted', labelNames: ['category'] })),
  erasureRequests: metricOnce(
    'retention_erasure_requests_total',
    () => new Counter({ name: 'retention_erasure_requests_total', help: 'Erasure requests received, by outcome (dispatched, blocked, repeated)', labelNames: ['outcome'] }),
  ),
  erasuresFinished: metricOnce('retention_erasures_finished_total', () => new Counter({ name: 'retention_erasures_finished_total', help: 'Erasure requests every expected service confirmed' })),
  purgesOverdue: metricOnce('retention_purges_overdue_total', () => new Counter({ name: 'retention_purges_overdue_total', help: 'Purges not confirmed in time: sent again and a purge_overdue alert raised' })),
  erasuresOverdue: metricOnce('retention_erasures_overdue_total', () => new Counter({ name: 'retention_erasures_overdue_total', help: 'erasure_overdue alerts raised' })),
  providerDeletions: metricOnce(
    'retention_provider_deletions_total',
    () => new Counter({ name: 'retention_provider_deletions_total', help: 'Provider session deletions, by outcome (deleted, not_found, failed)', labelNames: ['outcome'] }),
  ),
};
