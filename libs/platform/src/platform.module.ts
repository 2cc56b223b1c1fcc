import { Global, Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventProducer, TopicNamespace, OutboxRelay } from '@compliance/messaging';
import { httpLoggerParams, ObservabilityModule, ReadinessRegistry } from '@compliance/observability';
import { ApiKeyGuard, ApiKeyRegistry } from './api-keys';
import { BaseServiceConfig } from './config';
import { ServiceRuntime, type ServiceDefinition } from './service-runtime';
import { WhoAmIController } from './whoami.controller';

export interface PlatformOptions extends ServiceDefinition {
  config: BaseServiceConfig;
  imports?: ModuleMetadata['imports'];
}

/** Injection token of the keyring (`Keyring` from @compliance/persistence), null when none is configured. */
export const KEYRING = Symbol('KEYRING');

/**
 * Everything a suite service shares: validated config, logging (inject nestjs-pino's `PinoLogger`),
 * health and metrics, API-key auth (and `GET /auth/whoami`, the key's name and role), and what the
 * runtime connects and starts in order: the `DataSource` (migrations applied), the `EventProducer`,
 * the `OutboxRelay`, the `Kafka` client and the `TopicNamespace`, each injectable on its own. The
 * consumers come from the event transport.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(opts: PlatformOptions): DynamicModule {
    const { config, imports = [], ...definition } = opts;
    return {
      module: PlatformModule,
      imports: [LoggerModule.forRoot(httpLoggerParams(definition.service, config.LOG_LEVEL)), ObservabilityModule, ...imports],
      controllers: [WhoAmIController],
      providers: [
        { provide: BaseServiceConfig, useValue: config },
        { provide: config.constructor, useValue: config },
        { provide: ApiKeyRegistry, useValue: new ApiKeyRegistry(config.API_KEYS) },
        ApiKeyGuard,
        {
          provide: ServiceRuntime,
          useFactory: (readiness: ReadinessRegistry) => new ServiceRuntime(definition, config, readiness),
          inject: [ReadinessRegistry],
        },
        // What the runtime connects, as providers of their own: a class takes what it uses.
        { provide: DataSource, useFactory: (rt: ServiceRuntime) => rt.dataSource, inject: [ServiceRuntime] },
        { provide: EventProducer, useFactory: (rt: ServiceRuntime) => rt.producer, inject: [ServiceRuntime] },
        { provide: OutboxRelay, useFactory: (rt: ServiceRuntime) => rt.relay, inject: [ServiceRuntime] },
        { provide: Kafka, useFactory: (rt: ServiceRuntime) => rt.kafka, inject: [ServiceRuntime] },
        { provide: TopicNamespace, useFactory: (rt: ServiceRuntime) => rt.namespace, inject: [ServiceRuntime] },
        // The keyring, or null when KEYRING_MASTER_KEY is unset (inject with @Optional()).
        { provide: KEYRING, useFactory: (rt: ServiceRuntime) => rt.keyring ?? null, inject: [ServiceRuntime] },
      ],
      exports: [BaseServiceConfig, config.constructor, ApiKeyRegistry, ApiKeyGuard, ServiceRuntime, DataSource, EventProducer, OutboxRelay, Kafka, TopicNamespace, KEYRING],
    };
  }
}
