import { configProblems, loadConfig, loadServiceConfig } from '@compliance/platform';
import { ConsoleConfig } from './console.config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092' };
const problems = (env: Record<string, string>): string[] => configProblems(ConsoleConfig, env);

describe('ConsoleConfig', () => {
  it('starts with the documented defaults: port 3005, the five services on 127.0.0.1:3000–3004, 30 min idle sessions, no Secure cookie', () => {
    const config = loadConfig(ConsoleConfig, 'console', base);
    expect(config).toMatchObject({
      CONSOLE_PORT: 3005,
      GATEWAY_URL: 'http://127.0.0.1:3000',
      KYC_RESULTS_URL: 'http://127.0.0.1:3001',
      AML_TRIGGER_URL: 'http://127.0.0.1:3002',
      RETENTION_URL: 'http://127.0.0.1:3003',
      AUDIT_LOG_URL: 'http://127.0.0.1:3004',
      CONSOLE_SESSION_IDLE_MIN: 30,
    });
    expect(config.secureCookie).toBe(false);
    expect(config.sessionIdleMs).toBe(1_800_000);
  });

  it('refuses a bad port, service URL, idle time or cookie flag, naming each variable', () => {
    expect(problems({ ...base, CONSOLE_PORT: '70000' })).toEqual(['CONSOLE_PORT must be between 1 and 65535']);
    expect(problems({ ...base, AML_TRIGGER_URL: 'ftp://x', AUDIT_LOG_URL: 'http://x?y=1' })).toEqual([
      expect.stringMatching(/^AML_TRIGGER_URL must be an http\(s\) URL/),
      expect.stringMatching(/^AUDIT_LOG_URL must be an http\(s\) URL/),
    ]);
    expect(problems({ ...base, CONSOLE_SESSION_IDLE_MIN: '0' })).toEqual(['CONSOLE_SESSION_IDLE_MIN must be between 1 and 720']);
    expect(problems({ ...base, CONSOLE_COOKIE_SECURE: 'yes' })).toEqual(['CONSOLE_COOKIE_SECURE must be true or false']);
    expect(problems({})).toEqual(expect.arrayContaining([expect.stringMatching(/^KAFKA_BROKERS must be host:port/)]));
    expect(problems({}).every((p) => p.startsWith('KAFKA_BROKERS'))).toBe(true);
  });

  it('takes https service URLs and a Secure cookie behind TLS', () => {
    const config = loadConfig(ConsoleConfig, 'console', { ...base, AML_TRIGGER_URL: 'https://aml.internal:8443/api', CONSOLE_COOKIE_SECURE: 'true' });
    expect(config.AML_TRIGGER_URL).toBe('https://aml.internal:8443/api');
    expect(config.secureCookie).toBe(true);
  });

  it('outside development refuses a published development secret, as every service does', () => {
    expect(() => loadServiceConfig(ConsoleConfig, 'console', { ...base, NODE_ENV: 'production', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'console', KAFKA_SASL_PASSWORD: 'dev-admin-key' })).toThrow(/KAFKA_SASL_PASSWORD holds a development secret/);
  });
});
