import { createServer, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendOnSchedule } from './open-loop';
import { backlogSeries, hopLatencies, percentileWithMissing, slope } from './step';
import { prepareApprovedWebhooks } from './webhooks';

describe('backlog slope', () => {
  const posts = Array.from({ length: 200 }, (_, i) => 1_000 + i * 50); // 20/s for 10 s

  it('is flat when every webhook completes a constant time after its POST', () => {
    const done = posts.map((t) => t + 400);
    expect(Math.abs(slope(backlogSeries(posts, done, 3_000, 11_000)))).toBeLessThan(0.5);
  });

  it('grows by the shortfall when completions come at half the rate', () => {
    const done = posts.slice(0, 100).map((_, i) => 1_400 + i * 100); // 10/s
    expect(slope(backlogSeries(posts, done, 3_000, 11_000))).toBeCloseTo(10, 0);
  });
});

describe('percentiles with webhooks that never completed', () => {
  const known = Array.from({ length: 98 }, (_, i) => i + 1);

  it('reads a percentile the completed webhooks cover', () => {
    expect(percentileWithMissing(known, 100, 50)).toBe(50);
  });

  it('gives no p99 when more than 1 % never completed', () => {
    expect(percentileWithMissing(known, 100, 99)).toBeNull();
  });
});

describe('open-loop schedule', () => {
  let server: Server;
  let url: string;
  let received = 0;

  beforeAll(async () => {
    // Answers only after 300 ms: a closed loop of a few connections would fall far behind 200/s.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        setTimeout(() => res.writeHead(202).end('{}'), 300);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/didit`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends each webhook at its due time whatever the server answers, and waits for the answers at the end', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 512 });
    const webhooks = prepareApprovedWebhooks(200, 'secret');
    const run = await sendOnSchedule({ url, webhooks, ratePerSec: 200, agent });
    agent.destroy();

    expect(run.deliveries.map((d) => d.sessionId)).toEqual(webhooks.map((w) => w.sessionId));
    expect(run.deliveries.every((d) => d.status === 202)).toBe(true);
    expect(received).toBe(200);
    const sendWindowMs = run.endedAt - run.startedAt;
    expect(sendWindowMs).toBeGreaterThan(950);
    expect(sendWindowMs).toBeLessThan(1_300);
    const lateness = run.deliveries.map((d) => d.postAt - d.dueAt).sort((a, b) => a - b);
    // Well under the server's 300 ms: a client waiting for answers would be that late; a busy machine is not.
    expect(lateness[Math.floor(lateness.length * 0.9)]).toBeLessThan(150);
  });
});

describe('per-hop latency', () => {
  const deliveries = Array.from({ length: 100 }, (_, i) => ({ sessionId: `s${i}`, postAt: 1_000 + i * 10 }));
  const at = (offset: (i: number) => number) => new Map(deliveries.map((d, i) => [d.sessionId, d.postAt + offset(i)]));

  it('times each hop from the milestone before it, over the webhooks that reached both ends', () => {
    const reachedAt = {
      received: at(() => 5),
      recorded: at((i) => 5 + 20 + (i === 99 ? 400 : 0)),
      screened: at((i) => 5 + 20 + (i === 99 ? 400 : 0) + 12),
      completed: new Map([...at((i) => 5 + 20 + (i === 99 ? 400 : 0) + 30)].slice(0, 50)),
    };
    const [gateway, kyc, aml, screen, relay] = hopLatencies(deliveries, reachedAt);
    expect(gateway).toMatchObject({ hop: 'webhook-gateway', n: 100, p50Ms: 5, p99Ms: 5 });
    expect(kyc).toMatchObject({ hop: 'kyc-results', n: 100, p50Ms: 20, p99Ms: 20 });
    expect(aml).toMatchObject({ hop: 'aml-trigger', n: 50, p50Ms: 30, p99Ms: 30 });
    expect(screen).toMatchObject({ n: 100, p50Ms: 12, p99Ms: 12 });
    expect(relay).toMatchObject({ n: 50, p50Ms: 18, p99Ms: 18 });
    expect(hopLatencies(deliveries.slice(95), reachedAt)[1]).toMatchObject({ n: 5, p50Ms: 20, p99Ms: 420 });
  });
});
