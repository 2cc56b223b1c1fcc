import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { AuditLogConfig } from './audit-log.config';
import { ChainModule } from './chain/chain.module';
import { EntriesModule } from './entries/entries.module';
import { MIGRATIONS } from './migrations';
import { RecordingModule } from './recording/recording.module';
import { SessionsModule } from './sessions/sessions.module';
import { VerificationModule } from './verification/verification.module';

export const SERVICE_NAME = 'audit-log';
export const SCHEMA = 'audit_log';

@Module({})
export class AppModule {
  static register(config: AuditLogConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          schema: SCHEMA,
          config,
          migrations: MIGRATIONS,
          imports: [ChainModule, RecordingModule, EntriesModule, SessionsModule, VerificationModule],
        }),
      ],
    };
  }
}
