import { Global, Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { EventProducer } from '@compliance/messaging';
import { httpLoggerParams, ObservabilityModule, ReadinessRegistry } from '@compliance/observability';
import { ApiKeyGuard, ApiKeyRegistry } from './api-keys';
import { BaseServiceConfig } from './config';
import { ServiceRuntime, type ServiceDefinition } from './service-runtime';

export interface PlatformOptions extends ServiceDefinition {
  config: BaseServiceConfig;
  imports?: ModuleMetadata['imports'];
}

/**
 * Everything a suite service shares: validated config, logging, health and metrics, API-key auth,
 * and the runtime (database, migrations, producer, outbox relay, consumers).
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(opts: PlatformOptions): DynamicModule {
    const { config, imports = [], ...definition } = opts;
    return {
      module: PlatformModule,
      imports: [LoggerModule.forRoot(httpLoggerParams(definition.service, config.LOG_LEVEL)), ObservabilityModule, ...imports],
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
        { provide: DataSource, useFactory: (rt: ServiceRuntime) => rt.dataSource, inject: [ServiceRuntime] },
        { provide: EventProducer, useFactory: (rt: ServiceRuntime) => rt.producer, inject: [ServiceRuntime] },
      ],
      exports: [BaseServiceConfig, config.constructor, ApiKeyRegistry, ApiKeyGuard, ServiceRuntime, DataSource, EventProducer],
    };
  }
}
