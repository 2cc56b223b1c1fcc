import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { AuditLogConfig } from './audit-log.config';
import { ChainModule } from './chain/chain.module';
import { EntriesModule } from './entries/entries.module';
import { MIGRATIONS } from './migrations';
import { RecordingModule } from './recording/recording.module';
import { SessionsModule } from './sessions/sessions.module';
import { VerificationModule } from './verification/verification.module';

/**
 * The chain by grants, not only by triggers: the runtime may add entries, data and checkpoints and
 * read them; of an entry it may only stamp the redaction columns, of the data only delete rows
 * (erasure, purge); checkpoints and the index of erased references are insert-only. The head row
 * moves with every append.
 */
const chainIsInsertOnly = (role: string): string[] => [
  `REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry, audit_entry_data, audit_checkpoint, audit_erased_ref FROM "${role}"`,
  `GRANT UPDATE (redacted_at, redacted_by) ON audit_entry TO "${role}"`,
  `GRANT DELETE ON audit_entry_data TO "${role}"`,
];

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
          restrictRuntimeRole: chainIsInsertOnly,
          imports: [ChainModule, RecordingModule, EntriesModule, SessionsModule, VerificationModule],
        }),
      ],
    };
  }
}
