import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BaseServiceConfig, ConfigError, loadConfig } from './config';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

describe('service configuration', () => {
  it('accepts a valid environment and applies defaults', () => {
    const config = loadConfig(BaseServiceConfig, 'svc', { KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/compliance');
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('names every bad variable without echoing its value', () => {
    const attempt = () => loadConfig(BaseServiceConfig, 'svc', { KAFKA_BROKERS: 'nope', API_KEYS: 's3cret:superuser', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/KAFKA_BROKERS/);
      expect(message).toMatch(/API_KEYS/);
      expect(message).toMatch(/LOG_LEVEL/);
      expect(message).not.toContain('s3cret');
    }
  });

  it('an app started with a bad config exits non-zero with a message naming the variable', async () => {
    const result = await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'apps/retention/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: '127.0.0.1:9092', RETENTION_PORT: 'not-a-port' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('RETENTION_PORT');
  });
});
