/**
 * Pipeline benchmark: the whole suite as processes (tools/stack), loaded by the open-loop client
 * (load.ts) in a process of its own, in steps of fixed rates. Per step: sent / accepted / completed,
 * POST → `aml.screening.completed` percentiles, backlog slope, how well the client kept its
 * schedule, and CPU per process (each service, the broker JVM, Postgres) in all and per webhook.
 *
 *   npx tsx tools/bench/pipeline.bench.ts [--rates 50,100,250] [--seconds 20]   → JSON on stdout
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { deleteNamespaceTopics } from '../../libs/testing/src/topic-cleanup';
import { testDatabaseUrlFor } from '../chaos/support';
import { REPO_ROOT } from '../stack/dev-secrets';
import { SERVICES, Stack } from '../stack/stack';
import { brokerPid, CpuMeter, type CpuSnapshot } from './cpu';
import { LoadClientProcess } from './load-client';
import type { StepResult } from './load/step';
import { dropDatabase } from './scratch-db';

export const DEFAULT_RATES = [50, 100, 250, 500, 750, 1000, 1500, 2000];
/** The second warm-up step (not reported): enough events for every service's JIT to settle. */
const WARM_UP_RATE = 200;
const WARM_UP_SECONDS = 15;

export interface PipelineStep extends StepResult {
  /** CPU seconds per process from the first send to the end of the drain. */
  cpuSeconds: Record<string, number>;
  /** The same per accepted webhook, in ms. */
  cpuMsPerWebhook: Record<string, number>;
  /** Completions kept up (see SUSTAINED_RULE). */
  sustained: boolean;
}

export interface PipelineFigures {
  at: string;
  /** Highest step rate whose completions kept up; 0 when none did. */
  sustainedPerSec: number;
  sustainedRule: string;
  steps: PipelineStep[];
  /** Why the run ended before its last rate, if it did. */
  stoppedEarly?: string;
}

export interface PipelineOptions {
  rates?: number[];
  seconds?: number;
  /** Leave the run's database in place (for `tools/bench/pg-floor.ts`); its URL is reported. */
  keepDatabase?: boolean;
  onProgress?: (m: string) => void;
}

export const SUSTAINED_RULE =
  'every webhook accepted and completed within the drain, backlog slope ≤ 5 % of the rate, the client sent at ≥ 95 % of the rate, and the step was not stopped early';

function sustained(s: StepResult): boolean {
  return !s.aborted && s.sent > 0 && s.accepted === s.sent && s.completed === s.accepted && s.backlogSlopePerSec <= 0.05 * s.rate && s.client.achievedRate >= 0.95 * s.rate;
}

/** A step that failed beyond doubt: higher rates can only do worse. */
function clearlyFailed(s: StepResult): boolean {
  return s.aborted || s.completed < 0.9 * s.accepted || s.backlogSlopePerSec > 0.25 * s.rate || s.accepted < 0.9 * s.sent;
}

export async function benchPipeline(opts: PipelineOptions = {}): Promise<PipelineFigures> {
  const progress = opts.onProgress ?? (() => undefined);
  const rates = opts.rates ?? DEFAULT_RATES;
  const seconds = opts.seconds ?? 20;
  const namespace = `bench-${randomBytes(3).toString('hex')}.`;
  const databaseUrl = await testDatabaseUrlFor(namespace.slice(0, -1).replace(/-/g, '_'));
  const stack = new Stack({
    quiet: true,
    partitions: 6,
    env: { KAFKA_TOPIC_PREFIX: namespace, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...Object.fromEntries(SERVICES.map((s, i) => [s.portVar, String(3300 + i)])) },
  });
  let client: LoadClientProcess | undefined;
  try {
    stack.ensureBuilt();
    progress(`pipeline: starting the stack (namespace ${namespace})`);
    await stack.startInfrastructure();
    await stack.startAll();
    client = new LoadClientProcess({ url: stack.url('webhook-gateway'), secret: stack.env.DIDIT_WEBHOOK_SECRET, brokers: stack.env.KAFKA_BROKERS, topicPrefix: namespace });
    await client.start();
    const meter = new CpuMeter(
      SERVICES.map((s) => ({ name: s.name, metricsUrl: `${stack.url(s.name)}/metrics` })),
      process.env.KAFKA_BROKERS ? undefined : brokerPid(REPO_ROOT, 9092),
    );
    // Warm-up, not reported: consumers still joining their groups (a service serves before every
    // group has joined), connection pools, and the JIT. A service's optimising compiler is busy for
    // its first few thousand events (about a quarter of a consumer's CPU in its first minute, measured
    // with perf), which a long-running deployment has long behind it: the second warm-up step gives
    // every service those events before the first measured step.
    const join = await client.step(Math.min(20, rates[0]), 5, async () => undefined);
    progress(`pipeline: warm-up ${join.rate}/s → completed ${join.completed}/${join.sent}, p50 ${join.p50Ms ?? '—'} ms`);
    const warm = await client.step(WARM_UP_RATE, WARM_UP_SECONDS, async () => undefined);
    progress(`pipeline: warm-up ${warm.rate}/s → completed ${warm.completed}/${warm.sent}, p50 ${warm.p50Ms ?? '—'} ms`);
    const steps: PipelineStep[] = [];
    let stoppedEarly: string | undefined;
    let misses = 0;
    for (const rate of rates) {
      progress(`pipeline: ${rate}/s for ${seconds} s (signing ${Math.round(rate * seconds)} webhooks first)`);
      let before: CpuSnapshot = {};
      const result = await client.step(rate, seconds, async () => void (before = await meter.snapshot()));
      const cpuSeconds = CpuMeter.between(before, await meter.snapshot());
      cpuSeconds['load-client'] = result.client.cpuMs / 1000;
      const cpuMsPerWebhook = Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, result.accepted ? Math.round((v * 1e6) / result.accepted) / 1000 : 0]));
      const step: PipelineStep = { ...result, cpuSeconds, cpuMsPerWebhook, sustained: sustained(result) };
      steps.push(step);
      progress(
        `pipeline: ${rate}/s → sent ${step.sent}, accepted ${step.accepted}, completed ${step.completed}, p50 ${step.p50Ms ?? '—'} / p99 ${step.p99Ms ?? '—'} ms, ` +
          `backlog slope ${step.backlogSlopePerSec}/s, client ${step.client.achievedRate}/s${step.aborted ? ', stopped early' : ''} → ${step.sustained ? 'kept up' : 'did not keep up'}; ` +
          `hops p50/p99 ${step.hops.map((h) => `${h.hop} ${h.p50Ms ?? '—'}/${h.p99Ms ?? '—'}`).join(', ')} ms`,
      );
      misses = step.sustained ? 0 : misses + 1;
      if (clearlyFailed(step) || misses >= 2) {
        if (rate !== rates[rates.length - 1]) stoppedEarly = `${rate}/s ${clearlyFailed(step) ? 'clearly failed' : 'was the second step in a row that did not keep up'}`;
        break;
      }
    }
    const sustainedPerSec = Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.rate));
    return { at: new Date().toISOString(), sustainedPerSec, sustainedRule: SUSTAINED_RULE, steps, ...(stoppedEarly ? { stoppedEarly } : {}) };
  } finally {
    await client?.stop().catch(() => undefined);
    await stack.stop();
    await deleteNamespaceTopics(stack.env.KAFKA_BROKERS ?? '127.0.0.1:9092', namespace).catch(() => undefined);
    if (opts.keepDatabase) progress(`pipeline: database kept: ${databaseUrl}`);
    else await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

export function parseRates(text: string | undefined): number[] | undefined {
  if (!text) return undefined;
  const rates = text.split(',').map(Number);
  if (rates.some((r) => !(r > 0))) throw new Error(`--rates takes positive numbers, comma-separated (got ${text})`);
  return rates;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { rates: { type: 'string' }, seconds: { type: 'string' }, 'keep-database': { type: 'boolean' } } });
  benchPipeline({ rates: parseRates(values.rates), seconds: values.seconds ? Number(values.seconds) : undefined, keepDatabase: values['keep-database'], onProgress: (m) => process.stderr.write(`  … ${m}\n`) }).then(
    (f) => {
      process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`pipeline bench failed: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
