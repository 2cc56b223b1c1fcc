import { Logger, type Provider } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { createKafka, parseBrokers, saslFromEnv, TopicNamespace } from '@compliance/messaging';
import { ConsoleConfig } from '../console.config';

/** The console's Kafka client: it reads (the live feed, checkpoints) and asks the admin API (lag); it never produces. */
export const kafkaProviders: Provider[] = [
  { provide: TopicNamespace, useFactory: (c: ConsoleConfig) => new TopicNamespace(c.KAFKA_TOPIC_PREFIX), inject: [ConsoleConfig] },
  {
    provide: Kafka,
    useFactory: (c: ConsoleConfig) => {
      const logger = new Logger('kafka');
      return createKafka({
        brokers: parseBrokers(c.KAFKA_BROKERS),
        clientId: 'console',
        sasl: saslFromEnv(c),
        ssl: c.KAFKA_SSL === 'true',
        log: (level, message, extra) => (level === 'error' ? logger.error({ ...extra }, message) : level === 'warn' ? logger.warn({ ...extra }, message) : undefined),
      });
    },
    inject: [ConsoleConfig],
  },
];
