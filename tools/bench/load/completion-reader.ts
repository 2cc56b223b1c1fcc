import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompletionWorkerData, CompletionWorkerMessage } from './completion-worker';

const COMPLETED = 'aml.screening.completed';

/**
 * When each session reached `aml.screening.completed`: the Kafka timestamp of that record (set when
 * aml-trigger produced it, on the same clock as the POST). Reads in a worker thread, from the end
 * of the topic at start.
 */
export class CompletionReader {
  /** session id → Kafka timestamp (ms since the epoch) of its first completion. */
  readonly completedAt = new Map<string, number>();
  private worker?: Worker;

  constructor(
    private readonly brokers: string[],
    /** Physical name of aml.screenings.v1 (with its namespace prefix). */
    private readonly topic: string,
  ) {}

  async start(timeoutMs = 60_000): Promise<this> {
    const file = join(__dirname, 'completion-worker.ts');
    const data: CompletionWorkerData = { brokers: this.brokers, topic: this.topic, completedType: COMPLETED };
    // The worker loads TypeScript through tsx, as this process does.
    this.worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, { eval: true, workerData: data });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the completion reader did not join its group within ${timeoutMs} ms`)), timeoutMs);
      this.worker?.on('message', (m: CompletionWorkerMessage) => {
        if (m.type === 'completed') for (const [sid, ts] of m.pairs) if (!this.completedAt.has(sid)) this.completedAt.set(sid, ts);
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
        if (m.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`completion reader: ${m.message}`));
        }
      });
      this.worker?.once('error', reject);
    });
    return this;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.postMessage({ type: 'stop' });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    await worker.terminate();
  }
}
