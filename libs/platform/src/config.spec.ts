import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IsOptional, IsString } from 'class-validator';
import { BaseServiceConfig, ConfigError, loadConfig, loadServiceConfig, RequiresKeyring } from './config';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

/** A service with secrets of its own, as the apps have (gateway, kyc-results, audit-log). */
class ServiceWithSecrets extends BaseServiceConfig {
  @IsOptional()
  @IsString()
  DIDIT_WEBHOOK_SECRET?: string;

  @IsOptional()
  @IsString()
  PII_ENCRYPTION_KEY?: string;

  @IsOptional()
  @IsString()
  AUDIT_SIGNING_KEY?: string;
}

/** A service that seals personal data with the keyring (gateway, kyc-results, aml-trigger, retention). */
@RequiresKeyring()
class SealingService extends BaseServiceConfig {}

/** One that extends it is marked too. */
class SealingServiceVariant extends SealingService {}

/** What docker-compose.yml sets when nothing overrides its defaults. */
const COMPOSE_DEFAULTS = {
  API_KEYS: 'dev-admin-key:admin:dev-admin',
  DIDIT_WEBHOOK_SECRET: 'dev-didit-webhook-secret',
  STANDARD_WEBHOOK_SECRET: 'whsec_ZGV2LXN0YW5kYXJkLXdlYmhvb2stc2VjcmV0',
  PII_ENCRYPTION_KEY: 'NTqGkKndPSinXYLrix0jzGDt7ypKDnFcxVBdboJ2oJA=',
  AUDIT_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEID6+kXugtEcrV36ad5nLdJQE8Gdfh3TOXBsH3/3v1N9B\\n-----END PRIVATE KEY-----',
};
const LONG_KEY = 'k7P2xQ9mV4rT8wZ1nB6cY3hJ';
const problemsOf = (attempt: () => unknown): string => {
  try {
    attempt();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the config loaded');
};

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

  it('takes KEYRING_MASTER_KEY as a rotation list of 32-byte keys, and names a bad one by position, never by value', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig(BaseServiceConfig, 'svc', { KAFKA_BROKERS: '127.0.0.1:9092', KEYRING_MASTER_KEY: `${key},${key}` }).KEYRING_MASTER_KEY).toBe(`${key},${key}`);
    expect(loadConfig(BaseServiceConfig, 'svc', { KAFKA_BROKERS: '127.0.0.1:9092' }).KEYRING_MASTER_KEY).toBeUndefined();
    const message = problemsOf(() => loadConfig(BaseServiceConfig, 'svc', { KEYRING_MASTER_KEY: `${key},c2hvcnQta2V5LXZhbHVl` }));
    expect(message).toContain('KEYRING_MASTER_KEY must be base64 keys of exactly 32 bytes, comma-separated (key 2 of 2)');
    expect(message).not.toContain('c2hvcnQta2V5LXZhbHVl');
    expect(problemsOf(() => loadConfig(BaseServiceConfig, 'svc', { KEYRING_CACHE_MS: '-1' }))).toContain('KEYRING_CACHE_MS must be between 0 and 3600000');
  });

  it('takes KAFKA_FETCH_WAIT_MS as whole milliseconds up to 5000, unset by default (each consumer group keeps its own)', () => {
    expect(loadConfig(BaseServiceConfig, 'svc', { KAFKA_BROKERS: '127.0.0.1:9092' }).KAFKA_FETCH_WAIT_MS).toBeUndefined();
    expect(loadConfig(BaseServiceConfig, 'svc', { KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_FETCH_WAIT_MS: '0' }).KAFKA_FETCH_WAIT_MS).toBe(0);
    expect(loadConfig(BaseServiceConfig, 'svc', { KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_FETCH_WAIT_MS: '100' }).KAFKA_FETCH_WAIT_MS).toBe(100);
    expect(problemsOf(() => loadConfig(BaseServiceConfig, 'svc', { KAFKA_FETCH_WAIT_MS: '6000' }))).toContain('KAFKA_FETCH_WAIT_MS must be between 0 and 5000');
    expect(problemsOf(() => loadConfig(BaseServiceConfig, 'svc', { KAFKA_FETCH_WAIT_MS: 'soon' }))).toContain('KAFKA_FETCH_WAIT_MS must be an integer number of milliseconds');
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

  describe('secrets outside development', () => {
    const base = { KAFKA_BROKERS: '127.0.0.1:9092' };

    it.each([
      ['DIDIT_WEBHOOK_SECRET', { DIDIT_WEBHOOK_SECRET: 'dev-didit-webhook-secret' }],
      ['PII_ENCRYPTION_KEY', { PII_ENCRYPTION_KEY: `${Buffer.alloc(32, 1).toString('base64')},NTqGkKndPSinXYLrix0jzGDt7ypKDnFcxVBdboJ2oJA=` }],
      ['AUDIT_SIGNING_KEY', { AUDIT_SIGNING_KEY: COMPOSE_DEFAULTS.AUDIT_SIGNING_KEY }],
      ['API_KEYS', { API_KEYS: `${LONG_KEY}:admin,dev-admin-key:admin:dev-admin` }],
      ['API_KEYS', { API_KEYS: `dev-admin-${'ab'.repeat(12)}:admin:dev-admin` }],
    ])('refuses a published development secret in %s with NODE_ENV=production, naming the variable and not the value', (variable, env) => {
      const message = problemsOf(() => loadServiceConfig(ServiceWithSecrets, 'svc', { ...base, ...env, NODE_ENV: 'production' }));
      expect(message).toContain(`${variable} holds a development secret`);
      for (const value of Object.values(env)) for (const piece of value.split(/\\n|[,:]/)) if (piece.length > 12) expect(message).not.toContain(piece);
    });

    it('refuses an API key shorter than 24 characters, naming its position, never the key', () => {
      const message = problemsOf(() => loadServiceConfig(BaseServiceConfig, 'svc', { ...base, API_KEYS: `${LONG_KEY}:admin:ops,0123456789:analyst:ana`, NODE_ENV: 'production' }));
      expect(message).toContain('API_KEYS: key 2 of 2 shorter than 24 characters');
      expect(message).not.toContain('0123456789');
      expect(message).not.toContain(LONG_KEY);
    });

    it('applies whenever NODE_ENV is not development: unset, test, production', () => {
      for (const NODE_ENV of [undefined, 'test', 'production', 'Development']) {
        expect(problemsOf(() => loadServiceConfig(ServiceWithSecrets, 'svc', { ...base, ...COMPOSE_DEFAULTS, NODE_ENV }))).toMatch(/API_KEYS[\s\S]*DIDIT_WEBHOOK_SECRET[\s\S]*PII_ENCRYPTION_KEY[\s\S]*AUDIT_SIGNING_KEY/);
      }
    });

    it('loads the same environment with NODE_ENV=development, and long random keys anywhere', () => {
      const dev = loadServiceConfig(ServiceWithSecrets, 'svc', { ...base, ...COMPOSE_DEFAULTS, NODE_ENV: 'development' });
      expect(dev.DIDIT_WEBHOOK_SECRET).toBe('dev-didit-webhook-secret');
      const short = loadServiceConfig(BaseServiceConfig, 'svc', { ...base, API_KEYS: 'analyst-key:analyst:ana', NODE_ENV: 'development' });
      expect(short.API_KEYS).toBe('analyst-key:analyst:ana');
      const prod = loadServiceConfig(ServiceWithSecrets, 'svc', {
        ...base,
        API_KEYS: `${LONG_KEY}:admin:ops`,
        DIDIT_WEBHOOK_SECRET: 'a-secret-of-our-own-0123456789',
        PII_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
        NODE_ENV: 'production',
      });
      expect(prod.API_KEYS).toBe(`${LONG_KEY}:admin:ops`);
    });

    it('requires KEYRING_MASTER_KEY of a service marked @RequiresKeyring, naming the variable: no personal data in clear in a deployment', () => {
      const required = 'KEYRING_MASTER_KEY is required outside development';
      for (const NODE_ENV of [undefined, 'test', 'production']) {
        expect(problemsOf(() => loadServiceConfig(SealingService, 'svc', { ...base, NODE_ENV }))).toContain(required);
        expect(problemsOf(() => loadServiceConfig(SealingServiceVariant, 'svc', { ...base, KEYRING_MASTER_KEY: '', NODE_ENV }))).toContain(required);
      }
      const key = Buffer.alloc(32, 5).toString('base64');
      expect(loadServiceConfig(SealingService, 'svc', { ...base, KEYRING_MASTER_KEY: key, NODE_ENV: 'production' }).KEYRING_MASTER_KEY).toBe(key);
      // Development and tests run without a keyring; a service that seals nothing (audit-log, console) never needs one.
      expect(loadServiceConfig(SealingService, 'svc', { ...base, NODE_ENV: 'development' }).KEYRING_MASTER_KEY).toBeUndefined();
      expect(loadConfig(SealingService, 'svc', { ...base, NODE_ENV: 'production' }).KEYRING_MASTER_KEY).toBeUndefined();
      expect(loadServiceConfig(BaseServiceConfig, 'svc', { ...base, NODE_ENV: 'production' }).KEYRING_MASTER_KEY).toBeUndefined();
    });

    it.each(['webhook-gateway', 'kyc-results', 'aml-trigger', 'retention'])('%s started without KEYRING_MASTER_KEY and NODE_ENV=production exits 78 naming it', async (app) => {
      const result = await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, `apps/${app}/src/main.ts`)], {
        cwd: ROOT,
        env: { ...process.env, KAFKA_BROKERS: '127.0.0.1:9092', KEYRING_MASTER_KEY: '', NODE_ENV: 'production', OTEL_SDK_DISABLED: 'true' },
        timeout: 60_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      );
      expect(result.code).toBe(78);
      expect(result.stderr).toContain('KEYRING_MASTER_KEY is required outside development');
    });

    it('tests build configs with loadConfig: the short test keys need no exception', () => {
      expect(loadConfig(BaseServiceConfig, 'svc', { ...base, API_KEYS: 'analyst-key:analyst:ana', NODE_ENV: 'test' }).API_KEYS).toBe('analyst-key:analyst:ana');
    });

    it.each([
      ['webhook-gateway', ['API_KEYS', 'DIDIT_WEBHOOK_SECRET', 'STANDARD_WEBHOOK_SECRET']],
      ['kyc-results', ['API_KEYS', 'PII_ENCRYPTION_KEY']],
      ['audit-log', ['API_KEYS', 'AUDIT_SIGNING_KEY']],
    ])('%s started with docker-compose.yml defaults and NODE_ENV=production exits 78, naming each variable that holds one and no value', async (app, variables) => {
      const result = await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, `apps/${app}/src/main.ts`)], {
        cwd: ROOT,
        env: { ...process.env, KAFKA_BROKERS: '127.0.0.1:9092', ...COMPOSE_DEFAULTS, AUDIT_SIGNING_KEY: COMPOSE_DEFAULTS.AUDIT_SIGNING_KEY, NODE_ENV: 'production', OTEL_SDK_DISABLED: 'true' },
        timeout: 60_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      );
      expect(result.code).toBe(78);
      for (const variable of variables) expect(result.stderr).toContain(`${variable} holds a development secret`);
      for (const value of ['dev-admin-key', 'dev-didit-webhook-secret', 'ZGV2LXN0YW5kYXJkLXdlYmhvb2stc2VjcmV0', 'NTqGkKndPSinXYLrix0jzGDt7ypKDnFcxVBdboJ2oJA=', 'MC4CAQAw']) {
        expect(result.stderr).not.toContain(value);
      }
    });
  });
});
