import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ConsoleConfig } from '../console.config';
import { SessionStore } from '../session/session.store';
import { ServiceClient } from '../upstream/service-client';
import { ErrorPageFilter } from './error.filter';
import { SessionGuard } from './session.guard';

/** What every page needs: the config, the sessions, the services' client, the session guard and the error pages. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: ConsoleConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: ConsoleConfig, useValue: config },
        SessionStore,
        ServiceClient,
        { provide: APP_GUARD, useClass: SessionGuard },
        { provide: APP_FILTER, useClass: ErrorPageFilter },
      ],
      exports: [ConsoleConfig, SessionStore, ServiceClient],
    };
  }
}
