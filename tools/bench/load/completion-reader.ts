import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Topics } from '../../../libs/contracts/src/topics';
import type { CompletionWorkerData, CompletionWorkerMessage, Milestone } from './completion-worker';

/**
 * The records that mark a webhook's way through the pipeline, in order, each with its Kafka
 * timestamp (set when the producing service sent it, on the same clock as the POST):
 * - `received`: the gateway's `webhook.received` (produced before it answers 202);
 * - `recorded`: kyc-results' `kyc.verification.approved` (sent by its outbox relay after the commit);
 * - `screened`: the `ce_time` of that `aml.screening.completed`, when aml-trigger built the event in
 *   its transaction (the gap to `completed` is its commit and outbox relay);
 * - `completed`: aml-trigger's `aml.screening.completed` (sent by its relay), the end of the
 *   measured path.
 */
export const MILESTONES = ['received', 'recorded', 'screened', 'completed'] as const;
export type MilestoneName = (typeof MILESTONES)[number];

const milestones = (prefix: string): Milestone[] => [
  { name: 'received', topic: `${prefix}${Topics.WebhooksInbound}`, type: 'webhook.received' },
  { name: 'recorded', topic: `${prefix}${Topics.KycVerifications}`, type: 'kyc.verification.approved' },
  { name: 'completed', topic: `${prefix}${Topics.AmlScreenings}`, type: 'aml.screening.completed', builtAs: 'screened' },
];

/**
 * When each session reached each milestone (the first record of it). Reads in a worker thread,
 * from the end of the topics at start.
 */
export class CompletionReader {
  /** Milestone → session id → Kafka timestamp (ms since the epoch) of its first record. */
  readonly reachedAt: Record<MilestoneName, Map<string, number>> = { received: new Map(), recorded: new Map(), screened: new Map(), completed: new Map() };
  private worker?: Worker;

  constructor(
    private readonly brokers: string[],
    /** The topics' namespace prefix ('' for a stack without one). */
    private readonly topicPrefix: string,
  ) {}

  /** Session id → when it reached `aml.screening.completed`. */
  get completedAt(): Map<string, number> {
    return this.reachedAt.completed;
  }

  async start(timeoutMs = 60_000): Promise<this> {
    const file = join(__dirname, 'completion-worker.ts');
    const data: CompletionWorkerData = { brokers: this.brokers, milestones: milestones(this.topicPrefix) };
    // The worker loads TypeScript through tsx, as this process does.
    this.worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, { eval: true, workerData: data });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the completion reader did not join its group within ${timeoutMs} ms`)), timeoutMs);
      this.worker?.on('message', (m: CompletionWorkerMessage) => {
        if (m.type === 'reached') {
          for (const [name, sid, ts] of m.triples) {
            const at = this.reachedAt[name as MilestoneName];
            if (at && !at.has(sid)) at.set(sid, ts);
          }
        }
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
