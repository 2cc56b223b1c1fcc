import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { IngestModule } from './ingest/ingest.module';
import { MIGRATIONS } from './migrations';
import { RetentionModule } from './retention/retention.module';
import { SCHEMA, SERVICE_NAME } from './service-name';
import { WebhookGatewayConfig } from './webhook-gateway.config';

export { SCHEMA, SERVICE_NAME };

@Module({})
export class AppModule {
  static register(config: WebhookGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS }), IngestModule, RetentionModule],
    };
  }
}
