import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { shutdownTimeoutMs } from './bootstrap';

const ROOT = join(__dirname, '..', '..', '..');

describe('service shutdown', () => {
  it('exits with 1 once a graceful shutdown has taken longer than SHUTDOWN_TIMEOUT_MS', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'testing/hanging-shutdown.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SHUTDOWN_TIMEOUT_MS: '700' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(650);
    expect(stderr).toContain('graceful shutdown after SIGTERM took longer than 700 ms');
  });

  it('takes the timeout from SHUTDOWN_TIMEOUT_MS, 30 s when unset or not a positive number', () => {
    expect(shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_MS: '5000' })).toBe(5000);
    expect(shutdownTimeoutMs({})).toBe(30_000);
    expect(shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toBe(30_000);
    expect(shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_MS: '0' })).toBe(30_000);
  });
});
