import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { LoadCommand, LoadReport } from './load';
import type { StepResult } from './load/step';

const REPO_ROOT = join(__dirname, '..', '..');

/** The load client (load.ts) as a child process of its own, driven one step at a time over IPC. */
export class LoadClientProcess {
  private child?: ChildProcess;
  private readonly inbox: LoadReport[] = [];
  private wake?: () => void;

  constructor(private readonly opts: { url: string; secret: string; brokers: string; topicPrefix: string; sockets?: number }) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const args = ['--import', 'tsx', join(__dirname, 'load.ts'), '--ipc', '--url', this.opts.url, '--brokers', this.opts.brokers, '--topic-prefix', this.opts.topicPrefix, '--sockets', String(this.opts.sockets ?? 1024)];
    this.child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, LOAD_SECRET: this.opts.secret, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: LoadReport) => {
      this.inbox.push(m);
      this.wake?.();
    });
    this.child.once('exit', (code) => {
      this.inbox.push({ type: 'failed', message: `load client exited with code ${code}` });
      this.wake?.();
    });
    await this.expect('ready');
  }

  /** Runs one step; `beforeSchedule` runs once the webhooks are signed, right before the first send. */
  async step(rate: number, seconds: number, beforeSchedule: () => Promise<void>, drainMaxMs?: number): Promise<StepResult> {
    this.send({ type: 'step', rate, seconds, drainMaxMs });
    await this.expect('built');
    await beforeSchedule();
    this.send({ type: 'go' });
    const report = await this.expect('result');
    return (report as Extract<LoadReport, { type: 'result' }>).result;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    this.send({ type: 'stop' });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }

  private send(m: LoadCommand): void {
    this.child?.send(m);
  }

  private async expect(type: LoadReport['type']): Promise<LoadReport> {
    for (;;) {
      const m = this.inbox.shift();
      if (m?.type === 'failed') throw new Error(m.message);
      if (m?.type === type) return m;
      if (!m) await new Promise<void>((r) => (this.wake = r));
    }
  }
}
