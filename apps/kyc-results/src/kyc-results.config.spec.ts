import { randomBytes } from 'node:crypto';
import { configProblems, loadConfig } from '@compliance/platform';
import { KycResultsConfig } from './kyc-results.config';
import { SumsubClient } from './providers/sumsub-client';

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

describe('KycResultsConfig: Sumsub API', () => {
  const env = { ...base, PII_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const token = 'sbx:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2';
  const secret = 'Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq';

  it('has no credentials by default (Sumsub webhooks read status only) and api.sumsub.com as base URL', () => {
    const config = loadConfig(KycResultsConfig, 'kyc-results', env);
    expect(config).toMatchObject({ SUMSUB_APP_TOKEN: undefined, SUMSUB_SECRET_KEY: undefined, SUMSUB_BASE_URL: 'https://api.sumsub.com' });
    expect(SumsubClient.fromConfig(config).enabled).toBe(false);
    expect(SumsubClient.fromConfig(loadConfig(KycResultsConfig, 'kyc-results', { ...env, SUMSUB_APP_TOKEN: token, SUMSUB_SECRET_KEY: secret })).enabled).toBe(true);
  });

  it('wants both the app token and the secret key, or neither, naming the missing one', () => {
    expect(problems({ ...env, SUMSUB_APP_TOKEN: token })).toEqual([
      'SUMSUB_SECRET_KEY is required with SUMSUB_APP_TOKEN: set both (Sumsub\'s API is read) or neither (Sumsub webhooks are recorded status only)',
    ]);
    expect(problems({ ...env, SUMSUB_SECRET_KEY: secret })).toEqual([expect.stringContaining('SUMSUB_APP_TOKEN is required with SUMSUB_SECRET_KEY')]);
  });

  it('refuses a short or spaced credential without echoing it, and a base URL that is not http(s)', () => {
    const found = problems({ ...env, SUMSUB_APP_TOKEN: 'short token', SUMSUB_SECRET_KEY: 'tiny' });
    expect(found).toEqual(['SUMSUB_APP_TOKEN must be at least 16 characters without spaces', 'SUMSUB_SECRET_KEY must be at least 16 characters without spaces']);
    expect(found.join()).not.toMatch(/short token|tiny/);
    expect(problems({ ...env, SUMSUB_BASE_URL: 'api.sumsub.com' })).toEqual([expect.stringContaining('SUMSUB_BASE_URL must be an http(s) URL')]);
    expect(problems({ ...env, SUMSUB_BASE_URL: 'http://127.0.0.1:8089' })).toEqual([]);
  });
});

describe('KycResultsConfig: Veriff and Persona APIs (reconciliation)', () => {
  const env = { ...base, PII_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const apiKey = '6c5a3f2e-0b1d-4e8a-9f7c-2d4b6a8c0e1f';
  const secret = 'veriff-shared-secret-01';

  it('has no credentials by default, and the providers\' public APIs as base URLs', () => {
    expect(loadConfig(KycResultsConfig, 'kyc-results', env)).toMatchObject({
      VERIFF_API_KEY: undefined,
      VERIFF_SHARED_SECRET: undefined,
      VERIFF_BASE_URL: 'https://stationapi.veriff.com',
      PERSONA_API_KEY: undefined,
      PERSONA_BASE_URL: 'https://api.withpersona.com',
    });
  });

  it('wants both Veriff values or neither, accepts the gateway\'s rotation lists, and names a bad value without echoing it', () => {
    expect(problems({ ...env, VERIFF_API_KEY: apiKey })).toEqual([expect.stringContaining('VERIFF_SHARED_SECRET is required with VERIFF_API_KEY')]);
    expect(problems({ ...env, VERIFF_SHARED_SECRET: secret })).toEqual([expect.stringContaining('VERIFF_API_KEY is required with VERIFF_SHARED_SECRET')]);
    expect(problems({ ...env, VERIFF_API_KEY: apiKey, VERIFF_SHARED_SECRET: `${secret},veriff-shared-secret-00` })).toEqual([]);
    const found = problems({ ...env, VERIFF_API_KEY: apiKey, VERIFF_SHARED_SECRET: 'tiny-secret' });
    expect(found).toEqual([expect.stringContaining('VERIFF_SHARED_SECRET must be one or more values of at least 16 characters')]);
    expect(found.join()).not.toContain('tiny-secret');
  });

  it('refuses a short Persona key or a base URL that is not http(s)', () => {
    expect(problems({ ...env, PERSONA_API_KEY: 'persona' })).toEqual(['PERSONA_API_KEY must be at least 16 characters without spaces']);
    expect(problems({ ...env, PERSONA_BASE_URL: 'api.withpersona.com' })).toEqual([expect.stringContaining('PERSONA_BASE_URL must be an http(s) URL')]);
  });
});
