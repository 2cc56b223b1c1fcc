import { Counter } from 'prom-client';
import { metricOnce } from '@compliance/observability';


/**
 * kyc-results' own metrics. Counted inside the consumer's transaction: a chunk that is rolled back
 * and replayed event by event may count its events twice (rare; these are rates, not records).
 */
export const verificationMetrics = {
  transitions: metricOnce(
    'kyc_results_transitions_total',
    () => new Counter({ name: 'kyc_results_transitions_total', help: 'Verification events emitted, by status and change (transition, data_updated)', labelNames: ['status', 'change'] }),
  ),
  identityReads: metricOnce(
    'kyc_results_identity_reads_total',
    () => new Counter({ name: 'kyc_results_identity_reads_total', help: 'Identities shown unmasked (each recorded as kyc.identity.accessed), by role', labelNames: ['role'] }),
  ),
  stale: metricOnce(
    'kyc_results_stale_reports_total',
    () => new Counter({ name: 'kyc_results_stale_reports_total', help: 'Reports older than the session state (kept in history, marked stale)', labelNames: ['provider'] }),
  ),
  duplicates: metricOnce(
    'kyc_results_duplicate_reports_total',
    () => new Counter({ name: 'kyc_results_duplicate_reports_total', help: 'Reports whose content was already recorded under another delivery', labelNames: ['provider'] }),
  ),
  ignoredWebhooks: metricOnce(
    'kyc_results_ignored_webhooks_total',
    () =>
      new Counter({
        name: 'kyc_results_ignored_webhooks_total',
        help: 'Webhooks acknowledged without effect: non-session types (user.*, business.*, activity.*, transaction.*) or sources without an adapter',
        labelNames: ['source', 'webhook_type', 'reason'],
      }),
  ),
};
