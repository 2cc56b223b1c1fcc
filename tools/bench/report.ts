/** bench/report.md from the figures of bench/report.json. */
import type { GatewayBenchResult } from './gateway.bench';
import type { PipelineFigures, PipelineStep } from './pipeline.bench';

type Part<T> = (T & { at?: string }) | { error: string; at?: string } | undefined;
export interface BenchReport {
  machine: { cores: number; memoryGiB: number; node: string };
  gateway?: Part<GatewayBenchResult>;
  pipeline?: Part<PipelineFigures>;
  screener?: Part<Record<string, unknown>>;
  audit?: Part<Record<string, unknown>>;
}

const fmt = (v: unknown, digits = 1): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : v === null ? '> drain' : '—');
const failed = (p: Part<unknown>): string | undefined => (p && 'error' in p ? `Failed: ${p.error}` : p ? undefined : 'Not run.');
const when = (p: Part<unknown>) => (p?.at ? ` _(run ${p.at})_` : '');

const OLD_FORMAT = 'Figures in an earlier format in report.json: run this part again.';

export const CPU_COLUMNS = ['webhook-gateway', 'kyc-results', 'aml-trigger', 'retention', 'audit-log', 'kafka-broker', 'postgres', 'load-client'];

function gateway(p: Part<GatewayBenchResult>): string {
  const head = `## 1. Gateway ingest vs a bare HMAC-verifying server${when(p)}\n\n`;
  const bad = failed(p);
  if (bad || !p || 'error' in p) return `${head}${bad}\n`;
  if (!Array.isArray(p.runs)) return `${head}${OLD_FORMAT}\n`;
  const cpu = (c: GatewayBenchResult['bare']['cpuMsPerRequest']) => (c ? [c.server, c.postgres, c.broker].map((v) => (v === undefined ? '' : fmt(v, 3))).join(' | ') : ' | | ');
  const rows = p.runs.flatMap((r) => [
    `| ${r.connections} | webhook-gateway | ${fmt(r.gateway.rps)} | ${fmt(r.gateway.p50Ms)} | ${fmt(r.gateway.p99Ms)} | ${r.gateway.errors} | ${fmt(r.ratio, 3)} | ${cpu(r.gateway.cpuMsPerRequest)} |`,
    `| ${r.connections} | bare node:http + HMAC | ${fmt(r.bare.rps)} | ${fmt(r.bare.p50Ms)} | ${fmt(r.bare.p99Ms)} | ${r.bare.errors} | | ${cpu(r.bare.cpuMsPerRequest)} |`,
  ]);
  return `${head}autocannon, ${p.durationSec} s per server after a warm-up, each request a distinct signed Didit "Approved" webhook of ${p.bodyBytes} bytes built before the phase; both servers in the same run. CPU per answered request over the measured phase, from /proc: the server process, and Postgres and the Kafka broker, which work for the gateway.

| connections | server | req/s | p50 ms | p99 ms | errors | gateway ÷ bare | CPU ms/request: server | Postgres | broker |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

**gateway.ratio** (req/s at ${p.connections} connections): **${fmt(p.ratio, 3)}**${p.gateway.reusedBodies ? ` — ${p.gateway.reusedBodies} requests re-sent a prepared body (duplicates flatter the gateway)` : ''}
`;
}

function pipeline(p: Part<PipelineFigures>): string {
  const head = `## 2. Pipeline: POST → aml.screening.completed, open loop${when(p)}\n\n`;
  const bad = failed(p);
  if (bad || !p || 'error' in p) return `${head}${bad}\n`;
  if (!p.steps.every((s) => s.client && s.cpuMsPerWebhook)) return `${head}${OLD_FORMAT}\n`;
  const steps = p.steps.map(
    (s: PipelineStep) =>
      `| ${s.rate} | ${s.sent} | ${s.accepted} | ${s.completed} | ${fmt(s.p50Ms, 0)} | ${fmt(s.p95Ms, 0)} | ${fmt(s.p99Ms, 0)} | ${fmt(s.backlogSlopePerSec, 2)} | ${s.drainMs} | ${fmt(s.client.achievedRate)} | ${fmt(s.client.latenessP99Ms)} | ${s.aborted ? 'stopped early' : s.sustained ? 'yes' : 'no'} |`,
  );
  const cpu = p.steps.map((s) => {
    const total = CPU_COLUMNS.filter((c) => c !== 'load-client').reduce((n, c) => n + (s.cpuMsPerWebhook[c] ?? 0), 0);
    return `| ${s.rate} | ${CPU_COLUMNS.map((c) => fmt(s.cpuMsPerWebhook[c], 2)).join(' | ')} | ${fmt(total, 2)} |`;
  });
  const hopNames = p.steps.find((s) => s.hops?.length)?.hops.map((h) => h.hop) ?? [];
  const hops = p.steps.map((s) => `| ${s.rate} | ${hopNames.map((n) => s.hops?.find((h) => h.hop === n)).map((h) => `${fmt(h?.p50Ms, 0)} / ${fmt(h?.p99Ms, 0)}`).join(' | ')} |`);
  const hopTable = hopNames.length
    ? `
Where the time went, per hop (p50 / p99 ms, each hop ranked on its own, so they do not add up to the end-to-end figures): webhook-gateway from the POST to its \`webhook.received\` record; kyc-results from that record to its \`kyc.verification.approved\`; aml-trigger from that to its \`aml.screening.completed\`, split at the event's \`ce_time\` (built in the transaction) into fetch + screen and commit + relay (Kafka timestamps: a hop includes the consumer's fetch wait and the relay's send).

| rate/s | ${hopNames.join(' | ')} |
|---|${hopNames.map(() => '---|').join('')}
${hops.join('\n')}
`
    : '';
  return `${head}A load client in its own process sends webhook i at start + i/rate (built and signed before the step), each step ${p.steps[0]?.seconds ?? '—'} s, then waits for the drain. Latency: POST to the Kafka timestamp of the session's \`aml.screening.completed\` ("> drain": that share never completed). Backlog slope: growth of posted-but-not-completed over the step, per second. Client: the send rate it achieved and how late its sends were (p99).

| rate/s | sent | accepted | completed | p50 ms | p95 ms | p99 ms | backlog slope /s | drain ms | client rate/s | client lateness p99 ms | kept up |
|---|---|---|---|---|---|---|---|---|---|---|---|
${steps.join('\n')}

**pipeline.sustainedPerSec: ${p.sustainedPerSec}/s** (kept up: ${p.sustainedRule}).${p.stoppedEarly ? ` Run stopped after ${p.stoppedEarly}.` : ''}

CPU ms per accepted webhook, per process, from the first send to the end of the drain (services from their \`process_cpu_seconds_total\`, the broker JVM and every Postgres process from /proc; idle work and anything else Postgres serves on this machine included):

| rate/s | ${CPU_COLUMNS.join(' | ')} | total (without the client) |
|---|${CPU_COLUMNS.map(() => '---|').join('')}---|
${cpu.join('\n')}
${hopTable}`;
}

function screener(p: Part<Record<string, unknown>>): string {
  const head = `## 3. Screener${when(p)}\n\n`;
  const bad = failed(p);
  if (bad || !p || 'error' in p) return `${head}${bad}\n`;
  const keys = ['entries', 'loadMs', 'indexBuildMs', 'rssMb', 'namesPerSecond', 'p50Ms', 'p99Ms', 'recall', 'precision'].filter((k) => p[k] !== undefined);
  return `${head}| ${keys.join(' | ')} |\n|${keys.map(() => '---|').join('')}\n| ${keys.map((k) => fmt(p[k], ['recall', 'precision', 'p50Ms', 'p99Ms'].includes(k) ? 3 : 0)).join(' | ')} |\n`;
}

function audit(p: Part<Record<string, unknown>>): string {
  const head = `## 4. Audit log${when(p)}\n\n`;
  const bad = failed(p);
  if (bad || !p || 'error' in p) return `${head}${bad}\n`;
  return `${head}Appends/s (batch ${fmt(p.batchSize)}): ${fmt(p.appendsPerSec)}; **audit.verifyPerSec: ${fmt(p.verifyPerSec)}** entries/s over ${fmt(p.entries)} entries.\n`;
}

export function markdown(r: BenchReport): string {
  return `# Benchmark report

${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}. Each part says when it ran; the machine is shared, so compare figures of one run (ratios) before absolutes.

${gateway(r.gateway)}
${pipeline(r.pipeline)}
${screener(r.screener)}
${audit(r.audit)}`;
}
