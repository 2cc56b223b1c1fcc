import { configProblems, loadConfig } from '@compliance/platform';
import { RetentionConfig } from './retention.config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092' };

const problems = (env: Record<string, string>): string[] => configProblems(RetentionConfig, { ...base, ...env });

describe('RetentionConfig', () => {
  it('starts with defaults: a sweep a minute, a one-day erasure deadline, provider deletion off', () => {
    const config = loadConfig(RetentionConfig, 'retention', base);
    expect(config).toMatchObject({ RETENTION_PORT: 3003, RETENTION_SWEEP_INTERVAL_MS: 60_000, RETENTION_ERASURE_DEADLINE_MS: 86_400_000, DIDIT_BASE_URL: 'https://verification.didit.me' });
    expect(config.providerDeletionEnabled).toBe(false);
  });

  it('names each bad variable with what it must be, without echoing the value', () => {
    const found = problems({ RETENTION_SWEEP_INTERVAL_MS: '10', RETENTION_ERASURE_DEADLINE_MS: 'soon', RETENTION_PROVIDER_DELETE: 'yes', DIDIT_BASE_URL: 'ftp://x' });
    expect(found).toEqual(
      expect.arrayContaining([
        'RETENTION_SWEEP_INTERVAL_MS must be between 100 and 86400000 (one day)',
        'RETENTION_ERASURE_DEADLINE_MS must be an integer number of milliseconds',
        'RETENTION_PROVIDER_DELETE must be true or false',
        'DIDIT_BASE_URL must be an http(s) URL such as https://verification.didit.me',
      ]),
    );
    expect(found.join(' ')).not.toContain('soon');
  });

  it('requires DIDIT_API_KEY only when provider deletion is on', () => {
    expect(problems({ RETENTION_PROVIDER_DELETE: 'true' })).toContain('DIDIT_API_KEY is required when RETENTION_PROVIDER_DELETE=true');
    expect(problems({ RETENTION_PROVIDER_DELETE: 'false' })).toEqual([]);
    const on = loadConfig(RetentionConfig, 'retention', { ...base, RETENTION_PROVIDER_DELETE: 'true', DIDIT_API_KEY: 'k' });
    expect(on.providerDeletionEnabled).toBe(true);
  });
});
