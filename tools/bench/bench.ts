/**
 * `npm run bench`: every benchmark in one run, side by side on this machine, with a progress
 * display; writes bench/report.json and bench/report.md.
 *
 *   npm run bench [-- --only pipeline|gateway|screener|audit] [--rates 100,500] [--seconds 20] [--out DIR] [--keep-database]
 *
 * With --only, the other parts of an existing report.json in the output folder are kept (each part
 * carries the time it ran).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchAudit } from './audit.bench';
import { benchGateway } from './gateway.bench';
import { benchPipeline, parseRates } from './pipeline.bench';
import { markdown, type BenchReport } from './report';
import { benchScreener } from './screener.bench';

const PARTS = ['gateway', 'pipeline', 'screener', 'audit'] as const;
type PartName = (typeof PARTS)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rates: { type: 'string' },
    seconds: { type: 'string' },
    /** The pipeline's database is left in place and its URL printed (for tools/bench/pg-floor.ts). */
    'keep-database': { type: 'boolean' },
    out: { type: 'string', default: join(__dirname, '..', '..', 'bench') },
  },
});
const progress = (m: string) => process.stderr.write(`  … ${m}\n`);

const runners: Record<PartName, { title: string; run: () => Promise<object> }> = {
  gateway: { title: 'gateway vs bare HMAC server (64 and 256 connections)', run: () => benchGateway({ onProgress: progress }) },
  pipeline: {
    title: 'pipeline, open loop in rate steps',
    run: () => benchPipeline({ rates: parseRates(values.rates), seconds: values.seconds ? Number(values.seconds) : undefined, keepDatabase: values['keep-database'], onProgress: progress }),
  },
  screener: { title: 'screener', run: () => benchScreener({ onProgress: progress }) },
  audit: {
    title: 'audit appends and verification',
    // The report's names, whichever the audit bench reports.
    run: async () => {
      const a = (await benchAudit({ onProgress: progress })) as unknown as Record<string, unknown>;
      return { ...a, verifyPerSec: a.verifyPerSec ?? a.verifyPerSecond, appendsPerSec: a.appendsPerSec ?? a.appendsPerSecond };
    },
  },
};

async function stage(n: number, total: number, name: PartName): Promise<object> {
  const { title, run } = runners[name];
  process.stderr.write(`[${n}/${total}] ${title}\n`);
  const started = Date.now();
  const at = new Date().toISOString();
  try {
    const result = await run();
    process.stderr.write(`[${n}/${total}] ${title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return { at, ...result };
  } catch (err) {
    process.stderr.write(`[${n}/${total}] ${title}: FAILED ${(err as Error).message}\n`);
    return { at, error: (err as Error).message };
  }
}

async function main(): Promise<void> {
  const only = values.only?.split(',') as PartName[] | undefined;
  const unknown = only?.filter((p) => !PARTS.includes(p));
  if (unknown?.length) throw new Error(`--only takes ${PARTS.join('|')} (got ${unknown.join(', ')})`);
  const parts = only ?? [...PARTS];
  const out = resolve(values.out);
  const file = join(out, 'report.json');
  const previous: Partial<BenchReport> = only && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const report: Record<string, unknown> = {
    ...previous,
    machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  };
  for (const [i, name] of parts.entries()) report[name] = await stage(i + 1, parts.length, name);
  mkdirSync(out, { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const md = markdown(report as unknown as BenchReport);
  writeFileSync(join(out, 'report.md'), md);
  process.stdout.write(md);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
