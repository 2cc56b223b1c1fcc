import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { configProblems, loadConfig } from '@compliance/platform';
import { DEFAULT_THRESHOLDS } from '@compliance/screening';
import { AmlTriggerConfig } from './aml-trigger.config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const base = { KAFKA_BROKERS: '127.0.0.1:9092', PII_ENCRYPTION_KEY: KEY };
const problems = (env: Record<string, string>): string[] => configProblems(AmlTriggerConfig, env);

describe('AmlTriggerConfig', () => {
  it('starts with the documented defaults: port 3002, built-in screener over the sample list, the engine’s tuned thresholds', () => {
    const config = loadConfig(AmlTriggerConfig, 'aml-trigger', base);
    expect(config).toMatchObject({ AML_TRIGGER_PORT: 3002, AML_PROVIDER: 'builtin', AML_LIST_POLL_MS: 30_000 });
    expect([config.AML_REVIEW_THRESHOLD, config.AML_MATCH_THRESHOLD]).toEqual([DEFAULT_THRESHOLDS.review, DEFAULT_THRESHOLDS.match]);
    expect(existsSync(path.join(config.AML_LISTS_DIR, 'targets.simple.csv'))).toBe(true);
  });

  it('refuses to start without a usable PII_ENCRYPTION_KEY and says how to make one', () => {
    expect(problems({ KAFKA_BROKERS: '127.0.0.1:9092' })).toEqual([expect.stringMatching(/PII_ENCRYPTION_KEY is required: base64 of 32 random bytes \(e\.g\. `openssl rand -base64 32`/)]);
    expect(problems({ ...base, PII_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).toHaveLength(1);
  });

  it('requires DIDIT_API_KEY and DIDIT_BASE_URL only when AML_PROVIDER=didit', () => {
    expect(problems({ ...base, AML_PROVIDER: 'didit' })).toEqual([
      expect.stringContaining('DIDIT_API_KEY is required when AML_PROVIDER=didit'),
      expect.stringContaining('DIDIT_BASE_URL'),
    ]);
    expect(problems({ ...base, AML_PROVIDER: 'didit', DIDIT_API_KEY: 'k', DIDIT_BASE_URL: 'https://verification.didit.me' })).toEqual([]);
    expect(problems({ ...base, AML_PROVIDER: 'acme' })).toEqual(['AML_PROVIDER must be one of builtin, didit']);
  });

  it('names each bad threshold, poll interval or port', () => {
    expect(problems({ ...base, AML_REVIEW_THRESHOLD: '0.95', AML_MATCH_THRESHOLD: '0.9' })).toEqual(['AML_REVIEW_THRESHOLD must not be above AML_MATCH_THRESHOLD']);
    expect(problems({ ...base, AML_MATCH_THRESHOLD: '1.5' })).toEqual([expect.stringMatching(/^AML_MATCH_THRESHOLD must be between/)]);
    expect(problems({ ...base, AML_LIST_POLL_MS: 'often' })).toEqual(expect.arrayContaining([expect.stringMatching(/^AML_LIST_POLL_MS must be/)]));
    expect(problems({ ...base, AML_TRIGGER_PORT: '70000' })).toEqual(['AML_TRIGGER_PORT must be between 1 and 65535']);
    expect(problems({ ...base, AML_LISTS_DIR: '/nonexistent/lists' })).toEqual([expect.stringMatching(/^AML_LISTS_DIR must be an existing folder/)]);
  });
});
