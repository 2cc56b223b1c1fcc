import { Module } from '@nestjs/common';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { DiditSessionClient } from '../provider/didit-session.client';
import { ProviderDeletionService } from '../provider/provider-deletion.service';
import { RetentionConfig } from '../retention.config';
import { ErasureProgressService } from './erasure-progress.service';
import { ErasureReportQuery } from './erasure-report.query';
import { ErasureController } from './erasure.controller';
import { ErasureService } from './erasure.service';

@Module({
  imports: [LifecycleModule],
  controllers: [ErasureController],
  providers: [
    ErasureService,
    ErasureProgressService,
    ErasureReportQuery,
    ProviderDeletionService,
    {
      provide: DiditSessionClient,
      inject: [RetentionConfig],
      useFactory: (c: RetentionConfig) =>
        new DiditSessionClient({
          baseUrl: c.DIDIT_BASE_URL,
          apiKey: c.DIDIT_API_KEY ?? '',
          timeoutMs: c.RETENTION_PROVIDER_TIMEOUT_MS,
          maxAttempts: c.RETENTION_PROVIDER_MAX_ATTEMPTS,
          retryDelayMs: c.RETENTION_PROVIDER_RETRY_DELAY_MS,
        }),
    },
  ],
  exports: [ErasureService, ErasureProgressService, ProviderDeletionService],
})
export class ErasureModule {}
