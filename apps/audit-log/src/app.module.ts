import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { AuditLogConfig } from './audit-log.config';
import { MIGRATIONS } from './migrations';

export const SERVICE_NAME = 'audit-log';
export const SCHEMA = 'audit_log';

@Module({})
export class AppModule {
  static register(config: AuditLogConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS })],
    };
  }
}
