import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { IngestModule } from './ingest/ingest.module';
import { MIGRATIONS } from './migrations';
import { RetentionModule } from './retention/retention.module';
import { WebhookGatewayConfig } from './webhook-gateway.config';

export const SERVICE_NAME = 'webhook-gateway';
export const SCHEMA = 'webhook_gateway';

@Module({})
export class AppModule {
  static register(config: WebhookGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS }), IngestModule, RetentionModule],
    };
  }
}
