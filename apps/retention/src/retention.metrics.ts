import { Counter, register } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const retentionMetrics = {
  purgesDue: once('retention_purges_due_total', () => new Counter({ name: 'retention_purges_due_total', help: 'retention.purge.due commands emitted', labelNames: ['category'] })),
  erasureRequests: once(
    'retention_erasure_requests_total',
    () => new Counter({ name: 'retention_erasure_requests_total', help: 'Erasure requests received, by outcome (dispatched, blocked, repeated)', labelNames: ['outcome'] }),
  ),
  erasuresFinished: once('retention_erasures_finished_total', () => new Counter({ name: 'retention_erasures_finished_total', help: 'Erasure requests every expected service confirmed' })),
  erasuresOverdue: once('retention_erasures_overdue_total', () => new Counter({ name: 'retention_erasures_overdue_total', help: 'erasure_overdue alerts raised' })),
  providerDeletions: once(
    'retention_provider_deletions_total',
    () => new Counter({ name: 'retention_provider_deletions_total', help: 'Provider session deletions, by outcome (deleted, not_found, failed)', labelNames: ['outcome'] }),
  ),
};
