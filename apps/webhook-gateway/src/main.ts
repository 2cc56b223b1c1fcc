import './tracing';
import { runService } from '@compliance/platform';
import { AppModule, HTTP_OPTIONS, SERVICE_NAME } from './app.module';
import { WebhookGatewayConfig } from './webhook-gateway.config';

void runService({
  service: SERVICE_NAME,
  configClass: WebhookGatewayConfig,
  port: (c) => c.GATEWAY_PORT,
  module: (c) => AppModule.register(c),
  ...HTTP_OPTIONS,
});
