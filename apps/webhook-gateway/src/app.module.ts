import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceAppOptions } from '@compliance/platform';
import { IngestModule } from './ingest/ingest.module';
import { webhookFastPath } from './ingest/webhook.fast-path';
import { MIGRATIONS } from './migrations';
import { RetentionModule } from './retention/retention.module';
import { SCHEMA, SERVICE_NAME } from './service-name';
import { WebhookGatewayConfig } from './webhook-gateway.config';

export { SCHEMA, SERVICE_NAME };

/**
 * How the gateway's HTTP server is set up, in main.ts and in its tests alike: no body parsing
 * (signatures are verified over the exact bytes, which the gateway reads itself) and the webhook
 * route ahead of the framework.
 */
export const HTTP_OPTIONS: ServiceAppOptions = { bodyParser: false, fastPath: webhookFastPath };

@Module({})
export class AppModule {
  static register(config: WebhookGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS }), IngestModule, RetentionModule],
    };
  }
}
