/**
 * Screener benchmark (DESIGN §9.3): names per second and latency against a 50,000-entry list,
 * with recall and precision on perturbed names, all from deterministic generated data.
 *
 *   npx tsx tools/bench/screener.bench.ts [--entries 50000] [--queries 5000]
 *
 * Recall: share of perturbed listed names whose entity is among the hits (score >= review).
 * Precision: of the queries flagged (review or match), the share whose top hit is the expected
 * entity; invented names that get flagged count as false positives.
 */
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_THRESHOLDS,
  generateEvaluationSet,
  generateSyntheticWatchlist,
  Screener,
  WatchlistIndex,
  type EvaluationCase,
  type ScreeningResult,
  type ScreeningThresholds,
} from '@compliance/screening';

export interface ScreenerBenchOptions {
  entries?: number;
  queries?: number;
  seed?: number;
  thresholds?: ScreeningThresholds;
  onProgress?: (message: string) => void;
}

export interface ScreenerBenchReport {
  entries: number;
  names: number;
  queries: number;
  indexBuildMs: number;
  /** Process heap after the index is built (generated entries included). */
  heapUsedMb: number;
  namesPerSecond: number;
  /**
   * Process CPU time per name (all threads, GC included): unlike the wall-clock figures it does
   * not grow when other processes compete for the machine.
   */
  cpuMsPerName: number;
  p50Ms: number;
  p99Ms: number;
  recall: number;
  precision: number;
  falsePositiveRate: number;
  meanNamesCompared: number;
  thresholds: ScreeningThresholds;
  recallByPerturbation: Record<string, number>;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));

interface Tally {
  truePositives: number;
  trueQueries: number;
  flagged: number;
  flaggedCorrectly: number;
  inventedFlagged: number;
  invented: number;
  byPerturbation: Map<string, { found: number; total: number }>;
}

function tally(cases: EvaluationCase[], results: ScreeningResult[]): Tally {
  const t: Tally = { truePositives: 0, trueQueries: 0, flagged: 0, flaggedCorrectly: 0, inventedFlagged: 0, invented: 0, byPerturbation: new Map() };
  cases.forEach((evaluation, i) => {
    const { hits, outcome } = results[i];
    const expected = evaluation.expected;
    if (outcome !== 'clear') t.flagged += 1;
    if (!expected) {
      t.invented += 1;
      if (outcome !== 'clear') t.inventedFlagged += 1;
      return;
    }
    const found = hits.some((hit) => hit.list === expected.list && hit.entityId === expected.entityId);
    t.trueQueries += 1;
    if (found) t.truePositives += 1;
    if (outcome !== 'clear' && hits[0]?.entityId === expected.entityId) t.flaggedCorrectly += 1;
    for (const name of evaluation.perturbations) {
      const bucket = t.byPerturbation.get(name) ?? { found: 0, total: 0 };
      bucket.total += 1;
      if (found) bucket.found += 1;
      t.byPerturbation.set(name, bucket);
    }
  });
  return t;
}

export async function benchScreener(options: ScreenerBenchOptions = {}): Promise<ScreenerBenchReport> {
  const progress = options.onProgress ?? (() => undefined);
  const entryCount = options.entries ?? 50_000;
  const queryCount = options.queries ?? 5_000;
  const seed = options.seed ?? 20_240_601;
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  progress(`generating ${entryCount} entries and ${queryCount} evaluation queries`);
  const entries = generateSyntheticWatchlist({ count: entryCount, seed });
  const cases = generateEvaluationSet(entries, { seed: seed + 1, count: queryCount });
  const buildStart = performance.now();
  const index = WatchlistIndex.build(entries);
  const indexBuildMs = performance.now() - buildStart;
  const heapUsedMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  progress(`index built in ${indexBuildMs.toFixed(0)} ms (${index.nameCount} names)`);
  const screener = new Screener(index, { thresholds });
  for (const evaluation of cases.slice(0, 200)) screener.screen(evaluation.query); // JIT warm-up
  const latencies: number[] = [];
  const results: ScreeningResult[] = [];
  const runStart = performance.now();
  const cpuStart = process.cpuUsage();
  for (const evaluation of cases) {
    const start = performance.now();
    results.push(screener.screen(evaluation.query));
    latencies.push(performance.now() - start);
  }
  const runMs = performance.now() - runStart;
  const cpu = process.cpuUsage(cpuStart);
  latencies.sort((a, b) => a - b);
  const t = tally(cases, results);
  progress(`screened ${cases.length} names in ${runMs.toFixed(0)} ms`);
  return {
    entries: entryCount,
    names: index.nameCount,
    queries: cases.length,
    indexBuildMs: round(indexBuildMs, 1),
    heapUsedMb: heapUsedMb,
    namesPerSecond: Math.round((cases.length / runMs) * 1000),
    cpuMsPerName: round((cpu.user + cpu.system) / 1000 / cases.length, 3),
    p50Ms: round(percentile(latencies, 0.5), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
    recall: round(t.truePositives / Math.max(1, t.trueQueries)),
    precision: round(t.flaggedCorrectly / Math.max(1, t.flagged)),
    falsePositiveRate: round(t.inventedFlagged / Math.max(1, t.invented)),
    meanNamesCompared: round(results.reduce((sum, r) => sum + r.namesCompared, 0) / results.length, 1),
    thresholds,
    recallByPerturbation: Object.fromEntries(
      [...t.byPerturbation].map(([name, { found, total }]) => [name, round(found / total, 3)]),
    ),
  };
}

function argument(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : undefined;
}

if (require.main === module) {
  benchScreener({
    entries: argument('entries'),
    queries: argument('queries'),
    onProgress: (message) => process.stderr.write(`${message}\n`),
  })
    .then((report) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`))
    .catch((error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    });
}
