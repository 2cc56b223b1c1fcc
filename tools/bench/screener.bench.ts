/**
 * Screener benchmark (DESIGN §9.3): a list of real-list size (1,000,000 generated entries by
 * default) written to disk as an OpenSanctions targets.simple.csv and loaded through
 * loadWatchlists, as the service loads it; then latency, recall and precision on perturbed
 * names. Everything is generated deterministically from the seed.
 *
 *   npx tsx tools/bench/screener.bench.ts [--entries 1000000] [--queries 5000] [--seed 20240601]
 *
 * The generated list and evaluation set are cached in .cache/bench/ and reused. Loading and
 * screening run in a child process of their own, so `rssMb` is the screener's memory and not
 * whatever the calling process holds.
 *
 * Recall: share of perturbed listed names whose entity is among the hits (score >= review).
 * Precision: of the queries flagged (review or match), the share whose top hit is the expected
 * entity, or an identically named entry nothing in the query tells apart from it
 * (evaluation-scoring.ts); invented names that get flagged count as false positives. Invented
 * names within a perturbation of a listed name are never used (near-listed-names.ts).
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_THRESHOLDS,
  generateEvaluationSet,
  ListedNameNeighbourhood,
  loadWatchlists,
  normaliseName,
  precisionOf,
  recallOf,
  Screener,
  syntheticWatchlistEntries,
  tallyEvaluation,
  writeOpenSanctionsCsv,
  type EvaluationCase,
  type ScreeningResult,
  type ScreeningThresholds,
  type WatchlistIndex,
} from '@compliance/screening';

export interface ScreenerBenchOptions {
  entries?: number;
  queries?: number;
  seed?: number;
  thresholds?: ScreeningThresholds;
  /** Where generated lists are kept between runs (default .cache/bench at the repository root). */
  cacheDir?: string;
  onProgress?: (message: string) => void;
}

export interface ScreenerBenchReport {
  entries: number;
  names: number;
  /** Distinct name tokens on the list. */
  tokens: number;
  queries: number;
  /** Reading and parsing the CSV file (streamed together with indexing; this is the reading share). */
  loadMs: number;
  /** Building the index: normalising names, preparing tokens, inverted indexes. */
  indexBuildMs: number;
  /** loadWatchlists end to end: loadMs + indexBuildMs. */
  loadAndIndexMs: number;
  /** Resident memory of the screening process after load, index and every query. */
  rssMb: number;
  /** The highest resident memory the screening process reached. */
  peakRssMb: number;
  /** Process heap after the index is built. */
  heapUsedMb: number;
  namesPerSecond: number;
  /**
   * Process CPU time per name (all threads, GC included): unlike the wall-clock figures it does
   * not grow when other processes compete for the machine.
   */
  cpuMsPerName: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * The same percentiles in process CPU time per query: what the screening itself costs,
   * without the time the process waited for a core on a shared machine.
   */
  p50CpuMs: number;
  p99CpuMs: number;
  recall: number;
  precision: number;
  /** Flagged listed queries counted correct through a tie between identically named entries. */
  correctByTie: number;
  falsePositiveRate: number;
  /** How dense the generated list and how hard its negatives were to find. */
  dataset: DatasetStats;
  meanNamesCompared: number;
  thresholds: ScreeningThresholds;
  recallByPerturbation: Record<string, number>;
}

export interface DatasetStats {
  /** Share of entries whose normalised primary name is another entry's primary name too. */
  exactDuplicateShare: number;
  /** Share of sampled entries with another entry's name within a perturbation of their own. */
  nearDuplicateShare: number;
  /** Share of invented names turned down as negatives for being near a listed name. */
  negativesRejectedShare: number;
  /** Share of perturbed listed names drawn again for being exactly another entry's name. */
  listedRedrawnShare: number;
}

interface ResolvedOptions {
  entries: number;
  queries: number;
  seed: number;
  thresholds: ScreeningThresholds;
  cacheDir: string;
}

/** Bump when the generator or the file writer changes, so stale cached lists are not reused. */
const DATASET_VERSION = 4;
const LIST_FILE = 'targets.simple.csv';
/**
 * Queries screened before measuring, as a running service has screened before: drawn like the
 * evaluation set but from another seed, so no measured query has been seen before.
 */
const WARM_UP_QUERIES = 1_000;

function resolveOptions(options: ScreenerBenchOptions): ResolvedOptions {
  return {
    entries: options.entries ?? 1_000_000,
    queries: options.queries ?? 5_000,
    seed: options.seed ?? 20_240_601,
    thresholds: options.thresholds ?? DEFAULT_THRESHOLDS,
    cacheDir: options.cacheDir ?? path.resolve(__dirname, '..', '..', '.cache', 'bench'),
  };
}

/** Entries sampled for the near-duplicate share (each costs one blocked lookup). */
const NEAR_DUPLICATE_SAMPLE = 2_000;

/** One folder per generated list; the loader reads every CSV in it, so the list is alone there. */
function datasetPaths(o: ResolvedOptions): { dir: string; list: string; cases: string; warmUp: string; stats: string } {
  const dir = path.join(o.cacheDir, `screener-v${DATASET_VERSION}-${o.entries}-${o.seed}`);
  return {
    dir,
    list: path.join(dir, LIST_FILE),
    cases: path.join(dir, `cases-${o.queries}-${o.seed + 1}.json`),
    warmUp: path.join(dir, `warm-up-${WARM_UP_QUERIES}-${o.seed + 2}.json`),
    stats: path.join(dir, `dataset-stats-${o.queries}-${o.seed + 1}.json`),
  };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));
const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);

function exactDuplicateShare(index: WatchlistIndex): number {
  const counts = new Map<string, number>();
  for (let i = 0; i < index.size; i++) {
    const name = normaliseName(index.primaryName(i));
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  let shared = 0;
  for (const count of counts.values()) if (count > 1) shared += count;
  return shared / Math.max(1, index.size);
}

function nearDuplicateShare(index: WatchlistIndex): number {
  const near = new ListedNameNeighbourhood(index);
  const step = Math.max(1, Math.floor(index.size / NEAR_DUPLICATE_SAMPLE));
  let sampled = 0;
  let withTwin = 0;
  for (let i = 0; i < index.size; i += step, sampled++) if (near.nearestListed(index.primaryName(i), i) !== undefined) withTwin += 1;
  return withTwin / Math.max(1, sampled);
}

/** Writes the list file and the evaluation set when they are not cached yet (once per size and seed). */
async function generateDataset(o: ResolvedOptions, progress: (message: string) => void): Promise<void> {
  const paths = datasetPaths(o);
  mkdirSync(paths.dir, { recursive: true });
  const listOptions = { count: o.entries, seed: o.seed, list: 'opensanctions' };
  if (!existsSync(paths.list)) {
    progress(`writing ${o.entries} generated entries to ${path.relative(process.cwd(), paths.list)}`);
    const partial = `${paths.list}.partial`;
    await writeOpenSanctionsCsv(partial, syntheticWatchlistEntries(listOptions));
    renameSync(partial, paths.list);
  }
  if (!existsSync(paths.cases) || !existsSync(paths.warmUp) || !existsSync(paths.stats)) {
    progress(`generating ${o.queries} evaluation queries and ${WARM_UP_QUERIES} warm-up queries`);
    // Negatives are checked against the list as the service loads it.
    const { index } = await loadWatchlists(paths.dir);
    let rejected = 0;
    let invented = 0;
    let redrawn = 0;
    let listed = 0;
    for (const [file, seed, count] of [[paths.cases, o.seed + 1, o.queries], [paths.warmUp, o.seed + 2, WARM_UP_QUERIES]] as const) {
      const cases = generateEvaluationSet(index, {
        seed,
        count,
        onNegativeRejected: () => void (rejected += 1),
        onListedRedrawn: () => void (redrawn += 1),
      });
      invented += cases.filter((c) => !c.expected).length;
      listed += cases.length - cases.filter((c) => !c.expected).length;
      writeFileSync(`${file}.partial`, JSON.stringify(cases));
      renameSync(`${file}.partial`, file);
    }
    progress('measuring exact and near duplicates on the list');
    const stats: DatasetStats = {
      exactDuplicateShare: round(exactDuplicateShare(index)),
      nearDuplicateShare: round(nearDuplicateShare(index)),
      negativesRejectedShare: round(rejected / Math.max(1, rejected + invented)),
      listedRedrawnShare: round(redrawn / Math.max(1, redrawn + listed)),
    };
    writeFileSync(paths.stats, JSON.stringify(stats));
  }
}

/** Load through the service's own path, then screen every evaluation query. */
async function measure(o: ResolvedOptions, progress: (message: string) => void): Promise<ScreenerBenchReport> {
  const paths = datasetPaths(o);
  const cases = JSON.parse(readFileSync(paths.cases, 'utf8')) as EvaluationCase[];
  progress(`loading ${path.relative(process.cwd(), paths.list)} through loadWatchlists`);
  const loadStart = performance.now();
  const { index, problems } = await loadWatchlists(paths.dir);
  const loadAndIndexMs = performance.now() - loadStart;
  if (problems.length > 0) throw new Error(`the generated list loaded with problems: ${JSON.stringify(problems.slice(0, 3))}`);
  const indexBuildMs = index.buildMs;
  const heapUsedMb = mb(process.memoryUsage().heapUsed);
  progress(`loaded and indexed in ${(loadAndIndexMs / 1000).toFixed(1)} s (${index.size} entries, ${index.nameCount} names)`);
  const screener = new Screener(index, { thresholds: o.thresholds });
  const warmUp = JSON.parse(readFileSync(paths.warmUp, 'utf8')) as EvaluationCase[];
  for (const evaluation of warmUp) screener.screen(evaluation.query);
  const latencies: number[] = [];
  const results: ScreeningResult[] = [];
  const runStart = performance.now();
  const cpuStart = process.cpuUsage();
  const cpuLatencies: number[] = [];
  for (const evaluation of cases) {
    const start = performance.now();
    const cpuBefore = process.cpuUsage();
    results.push(screener.screen(evaluation.query));
    const cpuUsed = process.cpuUsage(cpuBefore);
    latencies.push(performance.now() - start);
    cpuLatencies.push((cpuUsed.user + cpuUsed.system) / 1000);
  }
  const runMs = performance.now() - runStart;
  const cpu = process.cpuUsage(cpuStart);
  latencies.sort((a, b) => a - b);
  cpuLatencies.sort((a, b) => a - b);
  const t = tallyEvaluation(cases, results);
  progress(`screened ${cases.length} names in ${runMs.toFixed(0)} ms`);
  return {
    entries: index.size,
    names: index.nameCount,
    tokens: index.tokenCount,
    queries: cases.length,
    loadMs: round(loadAndIndexMs - indexBuildMs, 0),
    indexBuildMs: round(indexBuildMs, 0),
    loadAndIndexMs: round(loadAndIndexMs, 0),
    rssMb: mb(process.memoryUsage().rss),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    heapUsedMb,
    namesPerSecond: Math.round((cases.length / runMs) * 1000),
    cpuMsPerName: round((cpu.user + cpu.system) / 1000 / cases.length, 3),
    p50Ms: round(percentile(latencies, 0.5), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
    p50CpuMs: round(percentile(cpuLatencies, 0.5), 3),
    p99CpuMs: round(percentile(cpuLatencies, 0.99), 3),
    recall: round(recallOf(t)),
    precision: round(precisionOf(t)),
    correctByTie: t.correctByTie,
    falsePositiveRate: round(t.inventedFlagged / Math.max(1, t.invented)),
    dataset: JSON.parse(readFileSync(paths.stats, 'utf8')) as DatasetStats,
    meanNamesCompared: round(results.reduce((sum, r) => sum + r.namesCompared, 0) / results.length, 1),
    thresholds: o.thresholds,
    recallByPerturbation: Object.fromEntries([...t.byPerturbation].map(([name, { found, total }]) => [name, round(found / total, 3)])),
  };
}

type ChildTask = 'generate' | 'measure';
type ChildMessage = { progress: string } | { report: ScreenerBenchReport } | { done: true } | { error: string };

/** Runs one step in a fresh Node process (same loader flags, so TypeScript still runs). */
function inChild(task: ChildTask, o: ResolvedOptions, progress: (message: string) => void): Promise<ScreenerBenchReport | undefined> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child', task, JSON.stringify(o)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: ScreenerBenchReport | undefined;
    let error: string | undefined;
    child.on('message', (message: ChildMessage) => {
      if ('progress' in message) progress(message.progress);
      else if ('report' in message) report = message.report;
      else if ('error' in message) error = message.error;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (error !== undefined || code !== 0) reject(new Error(error ?? `screener bench child (${task}) exited with ${code}`));
      else resolve(report);
    });
  });
}

export async function benchScreener(options: ScreenerBenchOptions = {}): Promise<ScreenerBenchReport> {
  const progress = options.onProgress ?? (() => undefined);
  const o = resolveOptions(options);
  const paths = datasetPaths(o);
  if (![paths.list, paths.cases, paths.warmUp, paths.stats].every((file) => existsSync(file))) await inChild('generate', o, progress);
  const report = await inChild('measure', o, progress);
  if (!report) throw new Error('the screener bench child sent no report');
  return report;
}

async function runChild(task: ChildTask, o: ResolvedOptions): Promise<void> {
  // Run by hand (no IPC channel, e.g. under --cpu-prof), messages go to stderr.
  const send = (message: ChildMessage): Promise<void> =>
    new Promise((resolve) => (process.send ? process.send(message, () => resolve()) : resolve(void process.stderr.write(`${JSON.stringify(message)}\n`))));
  const progress = (message: string): void => void send({ progress: message });
  try {
    if (task === 'generate') await generateDataset(o, progress);
    else await send({ report: await measure(o, progress) });
  } catch (error) {
    await send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  process.disconnect?.();
}

function argument(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : undefined;
}

if (require.main === module) {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    void runChild(process.argv[childAt + 1] as ChildTask, JSON.parse(process.argv[childAt + 2]) as ResolvedOptions);
  } else {
    benchScreener({
      entries: argument('entries'),
      queries: argument('queries'),
      seed: argument('seed'),
      onProgress: (message) => process.stderr.write(`${message}\n`),
    })
      .then((report) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`))
      .catch((error) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 1;
      });
  }
}
