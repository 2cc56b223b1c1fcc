import { parsePrometheus, sumBy } from './prometheus-text';

const TEXT = `# HELP webhook_accepted_total Verified webhooks answered 202
# TYPE webhook_accepted_total counter
webhook_accepted_total{source="didit",via="kafka"} 12
webhook_accepted_total{source="didit",via="spool"} 3
webhook_accepted_total{source="standard",via="kafka"} 5
webhook_rejected_total{source="didit",reason="bad_signature",status="401"} 4
webhook_rejected_total{source="unknown",reason="unknown_source",status="404"} 1
webhook_rejected_total{source="didit",reason="stale",status="401"} 2
webhook_spool_depth 7
process_cpu_seconds_total 1.5 1700000000000
odd_label{msg="a \\"quoted\\" value, with, commas"} 1
`;

describe('Prometheus text', () => {
  it('reads samples with their labels, skipping comments, and keeps only the metrics asked for', () => {
    const samples = parsePrometheus(TEXT, ['webhook_spool_depth', 'odd_label']);
    expect(samples).toEqual([
      { name: 'webhook_spool_depth', labels: {}, value: 7 },
      { name: 'odd_label', labels: { msg: 'a "quoted" value, with, commas' }, value: 1 },
    ]);
    expect(parsePrometheus(TEXT).find((s) => s.name === 'process_cpu_seconds_total')?.value).toBe(1.5);
  });

  it('sums accepted webhooks by source and rejections by reason, largest first', () => {
    const samples = parsePrometheus(TEXT);
    expect(sumBy(samples, 'webhook_accepted_total', ['source'])).toEqual([
      { key: { source: 'didit' }, value: 15 },
      { key: { source: 'standard' }, value: 5 },
    ]);
    expect(sumBy(samples, 'webhook_rejected_total', ['reason', 'status']).map((r) => [r.key.reason, r.value])).toEqual([
      ['bad_signature', 4],
      ['stale', 2],
      ['unknown_source', 1],
    ]);
    expect(sumBy(samples, 'webhook_spool_depth', [])).toEqual([{ key: {}, value: 7 }]);
  });
});
