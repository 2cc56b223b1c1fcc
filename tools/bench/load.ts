/**
 * Open-loop load client: signed Didit "Approved" webhooks at a fixed rate (webhook i at
 * start + i/rate, built and signed before the step starts), each timed from its POST to the Kafka
 * timestamp of its `aml.screening.completed`.
 *
 * Against a running stack (`npm start`):
 *   npx tsx tools/bench/load.ts --url http://127.0.0.1:3000 --secret <DIDIT secret> \
 *     --rate 500 --seconds 20 --brokers 127.0.0.1:9092 [--topic-prefix ''] [--sockets 1024] [--json]
 *
 * The pipeline benchmark runs this same file as a child process (`--ipc`, secret in the
 * LOAD_SECRET environment variable) and drives it one step at a time.
 */
import { Agent } from 'node:http';
import { parseArgs } from 'node:util';
import { CompletionReader } from './load/completion-reader';
import { runStep, type StepResult } from './load/step';

export type LoadCommand = { type: 'step'; rate: number; seconds: number; drainMaxMs?: number } | { type: 'go' } | { type: 'stop' };
export type LoadReport = { type: 'ready' } | { type: 'built'; rate: number } | { type: 'result'; result: StepResult } | { type: 'failed'; message: string };

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    source: { type: 'string', default: 'didit' },
    secret: { type: 'string' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    'topic-prefix': { type: 'string', default: '' },
    sockets: { type: 'string', default: '1024' },
    drain: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    ipc: { type: 'boolean', default: false },
  },
});

// Keep-alive and enough sockets that the client never makes a webhook wait for a connection.
const agent = new Agent({ keepAlive: true, maxSockets: Number(values.sockets), maxFreeSockets: Number(values.sockets) });
const webhookUrl = `${values.url.replace(/\/$/, '')}/webhooks/${values.source}`;
const secret = (values.secret ?? process.env.LOAD_SECRET ?? '').split(',')[0];
const reader = new CompletionReader(values.brokers.split(','), values['topic-prefix']);

function summary(r: StepResult): string {
  const ms = (v: number | null) => (v === null ? '> drain' : `${v} ms`);
  return [
    `rate ${r.rate}/s for ${r.seconds} s${r.aborted ? ' (stopped early: completions fell behind)' : ''}`,
    `sent ${r.sent}, accepted ${r.accepted}${Object.keys(r.rejected).length ? ` (others: ${JSON.stringify(r.rejected)})` : ''}, completed ${r.completed}`,
    `POST → aml.screening.completed: p50 ${ms(r.p50Ms)}, p95 ${ms(r.p95Ms)}, p99 ${ms(r.p99Ms)}`,
    `per hop, p50 / p99: ${r.hops.map((h) => `${h.hop} ${ms(h.p50Ms)} / ${ms(h.p99Ms)}`).join(', ')}`,
    `backlog slope ${r.backlogSlopePerSec}/s, backlog at last send ${r.backlogAtEnd}, drain ${r.drainMs} ms`,
    `client: ${r.client.achievedRate}/s achieved, lateness p99 ${r.client.latenessP99Ms} ms (max ${r.client.latenessMaxMs}), ${r.client.cpuMs} ms CPU`,
  ].join('\n');
}

async function standalone(): Promise<void> {
  if (!secret) throw new Error('--secret is required (DIDIT_WEBHOOK_SECRET from the npm start output)');
  await reader.start();
  try {
    const result = await runStep({ url: webhookUrl, secret, ratePerSec: Number(values.rate), seconds: Number(values.seconds), agent, reader, drainMaxMs: Number(values.drain) * 1000, label: 'load' });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${summary(result)}\n`);
  } finally {
    await reader.stop();
    agent.destroy();
  }
}

/** Driven by the pipeline benchmark over the IPC channel: one step per command. */
async function driven(): Promise<void> {
  const send = (m: LoadReport) => process.send?.(m);
  const commands: LoadCommand[] = [];
  let wake: (() => void) | undefined;
  process.on('message', (m: LoadCommand) => {
    commands.push(m);
    wake?.();
  });
  const next = async (): Promise<LoadCommand> => {
    while (!commands.length) await new Promise<void>((r) => (wake = r));
    return commands.shift() as LoadCommand;
  };
  await reader.start();
  send({ type: 'ready' });
  for (;;) {
    const cmd = await next();
    if (cmd.type === 'stop') break;
    if (cmd.type !== 'step') continue;
    const result = await runStep({
      url: webhookUrl,
      secret,
      ratePerSec: cmd.rate,
      seconds: cmd.seconds,
      agent,
      reader,
      drainMaxMs: cmd.drainMaxMs,
      label: `bench${cmd.rate}`,
      beforeSchedule: async () => {
        send({ type: 'built', rate: cmd.rate });
        while ((await next()).type !== 'go');
      },
    });
    send({ type: 'result', result });
  }
  await reader.stop();
  agent.destroy();
  process.disconnect?.();
}

(values.ipc ? driven() : standalone()).then(
  () => process.exit(0),
  (err) => {
    process.send?.({ type: 'failed', message: (err as Error).message } satisfies LoadReport);
    process.stderr.write(`load client failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
