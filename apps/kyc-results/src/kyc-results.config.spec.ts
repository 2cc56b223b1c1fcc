import { randomBytes } from 'node:crypto';
import { configProblems, loadConfig } from '@compliance/platform';
import { KycResultsConfig } from './kyc-results.config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092' };
const problems = (env: Record<string, string>) => configProblems(KycResultsConfig, env);

describe('KycResultsConfig', () => {
  it('accepts a base64 32-byte PII_ENCRYPTION_KEY with the default port 3001', () => {
    const key = randomBytes(32).toString('base64');
    const config = loadConfig(KycResultsConfig, 'kyc-results', { ...base, PII_ENCRYPTION_KEY: key });
    expect(config).toMatchObject({ PII_ENCRYPTION_KEY: key, KYC_RESULTS_PORT: 3001 });
  });

  it('refuses to start without PII_ENCRYPTION_KEY, naming the variable', () => {
    expect(problems(base)).toEqual([expect.stringContaining('PII_ENCRYPTION_KEY is required')]);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['not base64', 'this is not a key!'],
  ])('refuses a PII_ENCRYPTION_KEY of %s without echoing it', (_case, value) => {
    const found = problems({ ...base, PII_ENCRYPTION_KEY: value });
    expect(found).toEqual([expect.stringContaining('PII_ENCRYPTION_KEY must be base64 keys of exactly 32 bytes')]);
    expect(found.join()).not.toContain(value);
  });

  it('accepts a rotation list (new key first) and names the bad key of a list by position', () => {
    const [next, old] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    expect(problems({ ...base, PII_ENCRYPTION_KEY: `${next},${old}` })).toEqual([]);
    expect(problems({ ...base, PII_ENCRYPTION_KEY: `${next},nope` })).toEqual([expect.stringContaining('(key 2 of 2)')]);
  });

  it('refuses a port out of range', () => {
    expect(problems({ ...base, PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'), KYC_RESULTS_PORT: '70000' })).toEqual([
      'KYC_RESULTS_PORT must be between 1 and 65535',
    ]);
  });
});
