import { Counter, Gauge } from 'prom-client';
import { metricOnce } from '@compliance/observability';


export const auditMetrics = {
  appended: metricOnce(
    'audit_entries_appended_total',
    () => new Counter({ name: 'audit_entries_appended_total', help: 'Entries appended to the audit chain, by type', labelNames: ['type'] }),
  ),
  head: metricOnce('audit_chain_head_sequence', () => new Gauge({ name: 'audit_chain_head_sequence', help: 'Sequence of the last appended entry seen by this instance' })),
  checkpoints: metricOnce('audit_checkpoints_total', () => new Counter({ name: 'audit_checkpoints_total', help: 'Signed checkpoints of the chain head' })),
  redacted: metricOnce(
    'audit_entries_redacted_total',
    () => new Counter({ name: 'audit_entries_redacted_total', help: 'Entries whose data was redacted, by trigger', labelNames: ['trigger'] }),
  ),
};
