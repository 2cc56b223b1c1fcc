import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { AlertsModule } from './alerts/alerts.module';
import { AmlTriggerConfig } from './aml-trigger.config';
import { MIGRATIONS } from './migrations';
import { MonitoringModule } from './monitoring/monitoring.module';
import { PiiModule } from './pii/pii.module';
import { ScreeningsModule } from './screenings/screenings.module';
import { SCHEMA, SERVICE_NAME } from './service-name';
import { VerificationsModule } from './verifications/verifications.module';
import { WatchlistsModule } from './watchlists/watchlists.module';

export { SCHEMA, SERVICE_NAME };

@Module({})
export class AppModule {
  static register(config: AmlTriggerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS }),
        PiiModule,
        WatchlistsModule,
        AlertsModule,
        ScreeningsModule,
        MonitoringModule,
        VerificationsModule,
      ],
    };
  }
}
