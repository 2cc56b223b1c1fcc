/**
 * Pipeline benchmark: time from a signed webhook POST to `aml.screening.completed` at a fixed
 * rate (p50/p95/p99), then rising rates to find the highest one the pipeline sustains.
 */
import { randomBytes } from 'node:crypto';
import { EventTypes, Topics } from '../../libs/contracts/src';
import { diditHeaders, diditSession } from '../../libs/testing/src/webhooks';
import { TopicReader } from '../../libs/testing/src/kafka-helpers';
import { deleteNamespaceTopics } from '../../libs/testing/src/topic-cleanup';
import { testDatabaseUrlFor } from '../chaos/support';
import { SERVICES, Stack } from '../stack/stack';

export interface PipelineFigures {
  fixedRate: { rate: number; sent: number; completed: number; p50Ms: number; p95Ms: number; p99Ms: number };
  steps: Array<{ rate: number; sent: number; completedInWindow: number; backlogGrowthPerSec: number; backlogEnd: number; drainMs: number; p50Ms: number; sustained: boolean }>;
  highestSustainedRate: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** Posts `rate` approved webhooks per second for `seconds`; returns session id → post time. */
async function drive(stack: Stack, rate: number, seconds: number, onTick?: (posted: Map<string, number>) => void): Promise<Map<string, number>> {
  const posted = new Map<string, number>();
  const secret = stack.env.DIDIT_WEBHOOK_SECRET.split(',')[0];
  const total = Math.round(rate * seconds);
  const start = Date.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    if (i % Math.max(1, Math.round(rate / 4)) === 0) onTick?.(posted);
    const payload = diditSession('v3-approved', { vendor_data: `bench-${randomBytes(4).toString('hex')}` });
    const body = JSON.stringify(payload);
    posted.set(payload.session_id as string, Date.now());
    inflight.push(
      fetch(`${stack.url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers: diditHeaders(body, secret), body }).then((r) => void r.arrayBuffer()),
    );
  }
  await Promise.allSettled(inflight);
  return posted;
}

/**
 * Completion time of each session: the Kafka timestamp of its `aml.screening.completed` record (set
 * when aml-trigger handed it to Kafka, same clock as the POST), read from the records collected so far.
 */
class Completions {
  readonly at = new Map<string, number>();
  private scanned = 0;

  constructor(private readonly reader: TopicReader) {}

  latencies(posted: Map<string, number>): number[] {
    const records = this.reader.on(Topics.AmlScreenings);
    for (; this.scanned < records.length; this.scanned++) {
      const { event, timestamp } = records[this.scanned];
      const sid = (event?.data as { sessionId?: string } | undefined)?.sessionId;
      if (event?.type === EventTypes.AmlScreeningCompleted && sid && timestamp !== undefined && !this.at.has(sid)) this.at.set(sid, timestamp);
    }
    return [...posted].filter(([sid]) => this.at.has(sid)).map(([sid, t]) => (this.at.get(sid) as number) - t);
  }
}

export async function benchPipeline(opts: { rate?: number; seconds?: number; onProgress?: (m: string) => void } = {}): Promise<PipelineFigures> {
  const progress = opts.onProgress ?? (() => undefined);
  const namespace = `bench-${randomBytes(3).toString('hex')}.`;
  const stack = new Stack({
    quiet: true,
    partitions: 6,
    env: {
      KAFKA_TOPIC_PREFIX: namespace,
      DATABASE_URL: await testDatabaseUrlFor(namespace.slice(0, -1).replace(/-/g, '_')),
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(SERVICES.map((s, i) => [s.portVar, String(3300 + i)])),
    },
  });
  stack.ensureBuilt();
  await stack.startInfrastructure();
  process.env.KAFKA_BROKERS = stack.env.KAFKA_BROKERS;
  await stack.startAll();
  const reader = await new TopicReader(namespace, [Topics.AmlScreenings]).start();
  const completions = new Completions(reader);
  try {
    const rate = opts.rate ?? 10;
    const seconds = opts.seconds ?? 15;
    progress(`pipeline: ${rate}/s for ${seconds} s`);
    const posted = await drive(stack, rate, seconds);
    const deadline = Date.now() + 30_000;
    while (completions.latencies(posted).length < posted.size && Date.now() < deadline) await sleep(50);
    const lat = completions.latencies(posted);
    const fixedRate = { rate, sent: posted.size, completed: lat.length, p50Ms: percentile(lat, 50), p95Ms: percentile(lat, 95), p99Ms: percentile(lat, 99) };

    const steps: PipelineFigures['steps'] = [];
    for (const stepRate of [10, 20, 30, 40, 50, 60, 80]) {
      progress(`pipeline: step ${stepRate}/s`);
      const samples: Array<[number, number]> = [];
      const p = await drive(stack, stepRate, 10, (sofar) => {
        samples.push([Date.now() / 1000, sofar.size - completions.latencies(sofar).length]);
      });
      const windowEnd = Date.now();
      const inWindow = completions.latencies(p).length;
      const backlogEnd = p.size - inWindow;
      const drainDeadline = Date.now() + 20_000;
      while (completions.latencies(p).length < p.size && Date.now() < drainDeadline) await sleep(50);
      const lat2 = completions.latencies(p);
      const drainMs = Math.max(0, Math.max(...[...p.keys()].map((sid) => completions.at.get(sid) ?? Infinity)) - windowEnd);
      // Sustained = the lag does not grow: the backlog (posted, not yet screened), sampled 4 times a
      // second over the window, has a least-squares slope under a tenth of the rate, and everything completes.
      const backlogGrowthPerSec = slope(samples);
      const sustained = lat2.length === p.size && backlogGrowthPerSec <= stepRate / 10;
      steps.push({ rate: stepRate, sent: p.size, completedInWindow: inWindow, backlogGrowthPerSec, backlogEnd, drainMs, p50Ms: percentile(lat2, 50), sustained });
      if (!sustained) break;
    }
    const highestSustainedRate = Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.rate));
    return { fixedRate, steps, highestSustainedRate };
  } finally {
    await reader.stop();
    await stack.stop();
    await deleteNamespaceTopics(stack.env.KAFKA_BROKERS, namespace).catch(() => undefined);
  }
}

if (require.main === module) {
  benchPipeline({ onProgress: (m) => process.stderr.write(`${m}\n`) }).then((f) => process.stdout.write(`${JSON.stringify(f, null, 2)}\n`));
}
