import { Counter, Gauge, register } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const auditMetrics = {
  appended: once(
    'audit_entries_appended_total',
    () => new Counter({ name: 'audit_entries_appended_total', help: 'Entries appended to the audit chain, by type', labelNames: ['type'] }),
  ),
  head: once('audit_chain_head_sequence', () => new Gauge({ name: 'audit_chain_head_sequence', help: 'Sequence of the last appended entry seen by this instance' })),
  checkpoints: once('audit_checkpoints_total', () => new Counter({ name: 'audit_checkpoints_total', help: 'Signed checkpoints of the chain head' })),
  redacted: once(
    'audit_entries_redacted_total',
    () => new Counter({ name: 'audit_entries_redacted_total', help: 'Entries whose data was redacted, by trigger', labelNames: ['trigger'] }),
  ),
};
