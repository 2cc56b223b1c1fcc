import './tracing';
import { runService } from '@compliance/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { AmlTriggerConfig } from './aml-trigger.config';

void runService({
  service: SERVICE_NAME,
  configClass: AmlTriggerConfig,
  port: (c) => c.AML_TRIGGER_PORT,
  module: (c) => AppModule.register(c),
});
