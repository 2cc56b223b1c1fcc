import { runService } from '@compliance/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { WebhookGatewayConfig } from './webhook-gateway.config';

// Body parsing is off: signatures are verified over the exact bytes, which the gateway reads itself.
void runService({
  service: SERVICE_NAME,
  configClass: WebhookGatewayConfig,
  port: (c) => c.GATEWAY_PORT,
  module: (c) => AppModule.register(c),
  bodyParser: false,
});
