import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { httpLoggerParams, ObservabilityModule } from '@compliance/observability';
import { AlertsModule } from './alerts/alerts.module';
import { AssetsModule } from './assets/assets.module';
import { ConsoleConfig } from './console.config';
import { FindModule } from './find/find.module';
import { LiveModule } from './live/live.module';
import { OperationsModule } from './operations/operations.module';
import { SessionModule } from './session/session.module';
import { SessionsModule } from './sessions/sessions.module';
import { SubjectsModule } from './subjects/subjects.module';
import { CoreModule } from './web/core.module';

export const SERVICE_NAME = 'console';

/**
 * The analysts' console: server-rendered pages over the five services' HTTP APIs (called with the
 * signed-in user's key), live alerts from Kafka. No database: sessions live in memory.
 */
@Module({})
export class AppModule {
  static register(config: ConsoleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(httpLoggerParams(SERVICE_NAME, config.LOG_LEVEL)),
        ObservabilityModule,
        CoreModule.forRoot(config),
        SessionModule,
        AlertsModule,
        SessionsModule,
        SubjectsModule,
        FindModule,
        OperationsModule,
        LiveModule,
        AssetsModule,
      ],
    };
  }
}
