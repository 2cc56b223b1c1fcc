import './kafkajs-send-messages';
import './kafkajs-request-queue';
import './kafkajs-records';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /**
   * Prefix applied to every topic and consumer group name. Empty in production; lets several
   * isolated deployments (or test files) share one cluster.
   */
  namespace?: string;
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
  /** SASL credentials (SCRAM); unset means no authentication. */
  sasl?: KafkaSasl;
  /** TLS to the brokers. */
  ssl?: boolean;
}

export type KafkaSasl = { mechanism: 'scram-sha-512'; username: string; password: string } | { mechanism: 'scram-sha-256'; username: string; password: string };

/** SASL settings from the standard variables (KAFKA_SASL_MECHANISM, _USERNAME, _PASSWORD); undefined when unset. */
export function saslFromEnv(env: { KAFKA_SASL_MECHANISM?: string; KAFKA_SASL_USERNAME?: string; KAFKA_SASL_PASSWORD?: string }): KafkaSasl | undefined {
  if (!env.KAFKA_SASL_MECHANISM) return undefined;
  const mechanism = env.KAFKA_SASL_MECHANISM.toLowerCase();
  if (mechanism !== 'scram-sha-512' && mechanism !== 'scram-sha-256') throw new Error('KAFKA_SASL_MECHANISM must be scram-sha-512 or scram-sha-256');
  if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) throw new Error('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
  return { mechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD } as KafkaSasl;
}

export function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(settings: KafkaSettings): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(settings.sasl ? { sasl: settings.sasl } : {}),
    ...(settings.ssl ? { ssl: true } : {}),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        settings.log?.(LEVELS[level] ?? 'info', `kafka: ${message}`, extra);
      },
  });
}

/** Maps logical names (the catalogue) to physical ones in a namespace, and back. */
export class TopicNamespace {
  constructor(readonly prefix = '') {}
  physical(name: string): string {
    return `${this.prefix}${name}`;
  }
  logical(name: string): string {
    return this.prefix && name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
  }
}
