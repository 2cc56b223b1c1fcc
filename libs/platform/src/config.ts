import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, ValidateIf, validateSync, type ValidationError } from 'class-validator';
import { DEFAULT_INBOX_RETENTION_DAYS } from '@compliance/messaging';
import { DEFAULT_DATABASE_URL, parseKeyList } from '@compliance/persistence';
import { developmentSecretProblems, isDevelopment } from './development-secrets';

const API_KEY_LIST = /^[^:,\s]+:(analyst|auditor|admin)(:[^:,\s]+)?(,[^:,\s]+:(analyst|auditor|admin)(:[^:,\s]+)?)*$/;

/** What every service needs; each app extends it with its own variables. */
export class BaseServiceConfig {
  @IsString()
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS!: string;

  @IsOptional()
  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may hold letters, digits, ".", "_" and "-" only' })
  KAFKA_TOPIC_PREFIX = '';

  @IsString()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = DEFAULT_DATABASE_URL;

  /**
   * A login of its own for the runtime (migrations keep DATABASE_URL): the hard boundary of least
   * privilege. The service grants it `<schema>_runtime` at start. Unset: the runtime connects as the
   * DATABASE_URL user and switches to `<schema>_runtime` (SET ROLE), which a compromised process could undo.
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_RUNTIME_URL must be a postgres:// URL' })
  DATABASE_RUNTIME_URL?: string;

  @IsOptional()
  @Matches(API_KEY_LIST, { message: 'API_KEYS must be key:role[:name] pairs separated by commas, role one of analyst, auditor, admin' })
  API_KEYS?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Days an inbox row (a consumed event's id) is kept; 0 keeps them forever. Must exceed the longest
   * time Kafka may still deliver an event again (see DEFAULT_INBOX_RETENTION_DAYS).
   */
  @Type(() => Number)
  @IsInt({ message: 'INBOX_RETENTION_DAYS must be an integer number of days (0 keeps inbox rows forever)' })
  @Min(0, { message: 'INBOX_RETENTION_DAYS must be between 0 (keep forever) and 3650' })
  @Max(3650, { message: 'INBOX_RETENTION_DAYS must be between 0 (keep forever) and 3650' })
  INBOX_RETENTION_DAYS = DEFAULT_INBOX_RETENTION_DAYS;

  /** SASL/SCRAM towards Kafka (DESIGN §10): unset means PLAINTEXT. */
  @IsOptional()
  @IsIn(['scram-sha-512', 'scram-sha-256', 'SCRAM-SHA-512', 'SCRAM-SHA-256'], { message: 'KAFKA_SASL_MECHANISM must be scram-sha-512 or scram-sha-256' })
  KAFKA_SASL_MECHANISM?: string;

  @ValidateIf((c: BaseServiceConfig) => c.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM' })
  @Matches(/^\S+$/, { message: 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM' })
  KAFKA_SASL_USERNAME?: string;

  @ValidateIf((c: BaseServiceConfig) => c.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM' })
  @Matches(/^\S+$/, { message: 'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM' })
  KAFKA_SASL_PASSWORD?: string;

  /**
   * The keyring's key-encryption keys (crypto-shredding, DESIGN §10): base64 keys of 32 bytes,
   * comma-separated, the first wraps. Unset: personal data is not sealed on the topics, which only
   * development and tests allow for a service marked @RequiresKeyring (loadServiceConfig).
   */
  @IsOptional()
  @IsMasterKeys()
  KEYRING_MASTER_KEY?: string;

  /** How long a service keeps an unwrapped data key in memory (ms; 0 = read the keyring every time). */
  @Type(() => Number)
  @IsInt({ message: 'KEYRING_CACHE_MS must be an integer number of milliseconds' })
  @Min(0, { message: 'KEYRING_CACHE_MS must be between 0 and 3600000' })
  @Max(3_600_000, { message: 'KEYRING_CACHE_MS must be between 0 and 3600000' })
  KEYRING_CACHE_MS = 60_000;

  /**
   * How long the broker may hold this service's consumer fetches to gather records (ms), for every
   * consumer group of the service; unset: each group's own default (0, answer at once, on the
   * critical path; 250 for audit-log and retention).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'KAFKA_FETCH_WAIT_MS must be an integer number of milliseconds' })
  @Min(0, { message: 'KAFKA_FETCH_WAIT_MS must be between 0 and 5000' })
  @Max(5000, { message: 'KAFKA_FETCH_WAIT_MS must be between 0 and 5000' })
  KAFKA_FETCH_WAIT_MS?: number;

  /** TLS to the brokers (`true`). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'KAFKA_SSL must be true or false' })
  KAFKA_SSL?: string;

  /** Only `development` (what `npm start` sets) lets development secrets and short API keys through at start (loadServiceConfig). */
  @IsOptional()
  @IsString()
  NODE_ENV?: string;
}

const KEY_LIST_HINT = 'e.g. `openssl rand -base64 32`; during a rotation, the new key first, then the old ones, comma-separated';

/** A key list variable (base64 keys of 32 bytes, comma-separated, the first encrypts); the message never echoes a key. */
function IsKeyList(name: string, variable: string, required: boolean): PropertyDecorator {
  const problem = (value: unknown): string | undefined => {
    if (required && (value === undefined || value === '')) return `${variable} is required: base64 of 32 random bytes (${KEY_LIST_HINT})`;
    try {
      parseKeyList(String(value), variable);
      return undefined;
    } catch (err) {
      return `${(err as Error).message} (${KEY_LIST_HINT})`;
    }
  };
  return ValidateBy({ name, validator: { validate: (value: unknown) => problem(value) === undefined, defaultMessage: (args) => problem(args?.value) ?? '' } });
}

/** `PII_ENCRYPTION_KEY`: required. */
export function IsPiiKeys(): PropertyDecorator {
  return IsKeyList('isPiiKeys', 'PII_ENCRYPTION_KEY', true);
}

/** `KEYRING_MASTER_KEY` (with @IsOptional: unset means no keyring). */
export function IsMasterKeys(): PropertyDecorator {
  return IsKeyList('isMasterKeys', 'KEYRING_MASTER_KEY', false);
}

const KEYRING_SERVICES = new WeakSet<object>();

/**
 * Marks the config of a service that seals personal data with the keyring (or destroys its keys on
 * erasure): outside development it refuses to start without KEYRING_MASTER_KEY, so personal data never
 * sits in clear on the topics or in an outbox of a deployment (loadServiceConfig).
 */
export function RequiresKeyring(): ClassDecorator {
  return (target) => {
    KEYRING_SERVICES.add(target);
  };
}

/** Whether the config class (or one it extends) is marked @RequiresKeyring. */
function requiresKeyring(cls: object | null): boolean {
  for (let c = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) if (KEYRING_SERVICES.has(c)) return true;
  return false;
}

function keyringProblems(cls: object, config: { KEYRING_MASTER_KEY?: unknown }): string[] {
  if (!requiresKeyring(cls) || (typeof config.KEYRING_MASTER_KEY === 'string' && config.KEYRING_MASTER_KEY !== '')) return [];
  return [
    `KEYRING_MASTER_KEY is required outside development: without it this service keeps personal data in clear on the topics and in its outbox; base64 of 32 random bytes (\`npm run secrets\` writes one, or ${KEY_LIST_HINT}) (NODE_ENV=development allows it unset on a developer machine)`,
  ];
}

export class ConfigError extends Error {
  constructor(
    service: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function problemsOf(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => Object.values(e.constraints ?? {}).map((msg) => (msg.startsWith(e.property) ? msg : `${e.property}: ${msg}`)));
}

/**
 * Builds and validates a config class from the environment. Values are never echoed (they may be
 * secrets); each problem names its variable.
 */
export function loadConfig<T extends object>(cls: new () => T, service: string, env: NodeJS.ProcessEnv = process.env): T {
  const { config, problems } = validated(cls, env);
  if (problems.length) throw new ConfigError(service, problems);
  return config;
}

/**
 * The config a service starts with: loadConfig, and outside development (NODE_ENV other than
 * `development`, or unset) no secret the repository publishes for development and no API key shorter
 * than 24 characters, in any variable of the class, and KEYRING_MASTER_KEY set for a class marked
 * @RequiresKeyring. Tests build configs with loadConfig, so their short keys (`analyst-key`) and
 * unsealed runs need no exception; a started process always goes through here.
 */
export function loadServiceConfig<T extends object>(cls: new () => T, service: string, env: NodeJS.ProcessEnv = process.env): T {
  const { config, problems } = validated(cls, env);
  const all = isDevelopment(config as { NODE_ENV?: string })
    ? problems
    : [...problems, ...developmentSecretProblems(config), ...keyringProblems(cls, config as { KEYRING_MASTER_KEY?: unknown })];
  if (all.length) throw new ConfigError(service, all);
  return config;
}

/** What is wrong with the environment for a config class, one message per problem; empty when it is usable. */
export function configProblems<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): string[] {
  return validated(cls, env).problems;
}

function validated<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv): { config: T; problems: string[] } {
  const defaults = new cls() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) raw[key] = defaults[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') raw[key] = value;
  const config = plainToInstance(cls, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config as object, { forbidUnknownValues: false, skipMissingProperties: false });
  return { config, problems: [...new Set(problemsOf(errors))] };
}
