import './tracing';
import { runService } from '@compliance/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { AuditLogConfig } from './audit-log.config';

void runService({
  service: SERVICE_NAME,
  configClass: AuditLogConfig,
  port: (c) => c.AUDIT_LOG_PORT,
  module: (c) => AppModule.register(c),
});
