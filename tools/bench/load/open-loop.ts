import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { PreparedWebhook } from './webhooks';

/** What happened to one webhook of a schedule. Times are wall-clock ms since the epoch. */
export interface Delivery {
  sessionId: string;
  dueAt: number;
  postAt: number;
  /** HTTP status, 0 for a network error, undefined while unanswered. */
  status?: number;
  /** The network error's code (ECONNRESET…) when status is 0. */
  error?: string;
}

export interface OpenLoopOptions {
  /** e.g. http://127.0.0.1:3000/webhooks/didit */
  url: string;
  webhooks: PreparedWebhook[];
  ratePerSec: number;
  agent: Agent;
  /** Asked about twice a second; true stops the schedule (the step has clearly failed). */
  shouldStop?: (deliveries: Delivery[]) => boolean;
}

export interface OpenLoopResult {
  deliveries: Delivery[];
  stopped: boolean;
  /** Wall-clock ms when the schedule began and when its last request went out. */
  startedAt: number;
  endedAt: number;
}

const wallNow = () => performance.timeOrigin + performance.now();

/**
 * Sends webhook i at start + i/rate whatever the server does (an open loop: a slow server does not
 * slow the arrivals down, as real providers do not wait for each other). Answers are awaited only
 * at the end, up to `answerTimeoutMs`.
 */
export async function sendOnSchedule(opts: OpenLoopOptions, answerTimeoutMs = 30_000): Promise<OpenLoopResult> {
  const target = new URL(opts.url);
  const interval = 1000 / opts.ratePerSec;
  const deliveries: Delivery[] = [];
  const answers: Promise<void>[] = [];
  const start = performance.now() + 5;
  const startedAt = performance.timeOrigin + start;
  let nextCheck = start + 500;
  let stopped = false;
  for (let i = 0; i < opts.webhooks.length; ) {
    const now = performance.now();
    const due = start + i * interval;
    if (due > now) {
      await new Promise((r) => setTimeout(r, Math.max(0, due - now - 0.5)));
      continue;
    }
    // Everything already due goes out now (a timer cannot wake more often than once a millisecond).
    for (; i < opts.webhooks.length && start + i * interval <= performance.now(); i++) {
      const w = opts.webhooks[i];
      const d: Delivery = { sessionId: w.sessionId, dueAt: performance.timeOrigin + start + i * interval, postAt: wallNow() };
      deliveries.push(d);
      answers.push(post(target, opts.agent, w, d));
    }
    if (opts.shouldStop && performance.now() >= nextCheck) {
      nextCheck += 500;
      if (opts.shouldStop(deliveries)) {
        stopped = true;
        break;
      }
    }
  }
  const endedAt = deliveries.length ? deliveries[deliveries.length - 1].postAt : startedAt;
  await Promise.race([Promise.all(answers), new Promise((r) => setTimeout(r, answerTimeoutMs).unref())]);
  return { deliveries, stopped, startedAt, endedAt };
}

function post(target: URL, agent: Agent, w: PreparedWebhook, d: Delivery): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: w.headers }, (res) => {
      res.resume();
      res.once('end', () => {
        d.status = res.statusCode ?? 0;
        resolve();
      });
      res.once('error', (err: NodeJS.ErrnoException) => {
        [d.status, d.error] = [0, err.code ?? 'error'];
        resolve();
      });
    });
    req.once('error', (err: NodeJS.ErrnoException) => {
      [d.status, d.error] = [0, err.code ?? 'error'];
      resolve();
    });
    req.end(w.body);
  });
}
