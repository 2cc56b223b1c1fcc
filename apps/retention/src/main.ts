import './tracing';
import { runService } from '@compliance/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { RetentionConfig } from './retention.config';

void runService({
  service: SERVICE_NAME,
  configClass: RetentionConfig,
  port: (c) => c.RETENTION_PORT,
  module: (c) => AppModule.register(c),
});
