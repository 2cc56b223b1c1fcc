/**
 * `npm run bench`: every benchmark in one run, side by side on this machine, with a progress
 * display; writes bench/report.md and bench/report.json (figures, ratios, core count).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchAudit } from './audit.bench';
import { benchGateway } from './gateway.bench';
import { benchPipeline } from './pipeline.bench';
import { benchScreener } from './screener.bench';

const OUT = join(__dirname, '..', '..', 'bench');
const progress = (m: string) => process.stderr.write(`  … ${m}\n`);

async function stage<T>(n: number, title: string, run: () => Promise<T>): Promise<T | { error: string }> {
  process.stderr.write(`[${n}/4] ${title}\n`);
  const started = Date.now();
  try {
    const result = await run();
    process.stderr.write(`[${n}/4] ${title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (err) {
    process.stderr.write(`[${n}/4] ${title}: FAILED ${(err as Error).message}\n`);
    return { error: (err as Error).message };
  }
}

const fmt = (v: unknown, digits = 1) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : String(v ?? '—'));

function markdown(report: Record<string, any>): string {
  const g = report.gateway ?? {};
  const p = report.pipeline ?? {};
  const s = report.screener ?? {};
  const a = report.audit ?? {};
  return `# Benchmark report

Run ${report.at} on ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}. One run, side by side; the machine is shared, so compare ratios before absolutes.

## 1. Gateway ingest (signed Didit webhooks, acks=all) vs a bare HMAC-verifying server

| server | req/s | p50 ms | p99 ms |
|---|---|---|---|
| webhook-gateway | ${fmt(g.gateway?.rps)} | ${fmt(g.gateway?.p50Ms)} | ${fmt(g.gateway?.p99Ms)} |
| bare node:http + HMAC | ${fmt(g.bare?.rps)} | ${fmt(g.bare?.p50Ms)} | ${fmt(g.bare?.p99Ms)} |

Ratio gateway/bare throughput: **${fmt(g.ratio, 3)}**${g.error ? ` (error: ${g.error})` : ''}

## 2. Pipeline: POST → aml.screening.completed

Fixed rate ${fmt(p.fixedRate?.rate)}/s: sent ${fmt(p.fixedRate?.sent)}, completed ${fmt(p.fixedRate?.completed)}; p50 ${fmt(p.fixedRate?.p50Ms)} ms, p95 ${fmt(p.fixedRate?.p95Ms)} ms, p99 ${fmt(p.fixedRate?.p99Ms)} ms.

| rate/s | sent | backlog growth /s | backlog end of window | drain after window ms | p50 ms | lag steady |
|---|---|---|---|---|---|---|
${(p.steps ?? []).map((x: any) => `| ${x.rate} | ${x.sent} | ${fmt(x.backlogGrowthPerSec, 2)} | ${x.backlogEnd} | ${fmt(x.drainMs, 0)} | ${fmt(x.p50Ms, 0)} | ${x.sustained ? 'yes' : 'no'} |`).join('\n')}

Highest sustained rate (backlog of POSTed-but-unscreened webhooks not growing over a 10 s window: slope < rate/10): **${fmt(p.highestSustainedRate)}/s**${p.error ? ` (error: ${p.error})` : ''}

## 3. Screener (${fmt(s.entries)} entries)

Names/s ${fmt(s.namesPerSecond)}; p50 ${fmt(s.p50Ms, 3)} ms, p99 ${fmt(s.p99Ms, 3)} ms per name; index build ${fmt(s.indexBuildMs, 0)} ms; recall ${fmt(s.recall, 3)}, precision ${fmt(s.precision, 3)} at the default thresholds.${s.error ? ` (error: ${s.error})` : ''}

## 4. Audit log

Appends/s (batched, batch ${fmt(a.batchSize)}): ${fmt(a.appendsPerSecond)}; chain verification: ${fmt(a.verifyPerSecond)} entries/s over ${fmt(a.entries)} entries.${a.error ? ` (error: ${a.error})` : ''}
`;
}

async function main(): Promise<void> {
  const report: Record<string, unknown> = {
    at: new Date().toISOString(),
    machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  };
  report.gateway = await stage(1, 'gateway vs bare HMAC server', () => benchGateway({ onProgress: progress }));
  report.pipeline = await stage(2, 'pipeline latency and sustained rate', () => benchPipeline({ onProgress: progress }));
  report.screener = await stage(3, 'screener on 50,000 entries', () => benchScreener({ onProgress: progress }));
  report.audit = await stage(4, 'audit appends and verification', () => benchAudit({ onProgress: progress }));
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(OUT, 'report.md'), markdown(report));
  process.stdout.write(markdown(report));
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
