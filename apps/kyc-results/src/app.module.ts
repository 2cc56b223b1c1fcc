import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { InboundModule } from './inbound/inbound.module';
import { KycResultsConfig } from './kyc-results.config';
import { MIGRATIONS } from './migrations';
import { PiiModule } from './pii/pii.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { SCHEMA, SERVICE_NAME } from './service-name';
import { VerificationsModule } from './verifications/verifications.module';

export { SCHEMA, SERVICE_NAME };

@Module({})
export class AppModule {
  static register(config: KycResultsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS }),
        PiiModule,
        VerificationsModule,
        InboundModule,
        ReconciliationModule,
      ],
    };
  }
}
