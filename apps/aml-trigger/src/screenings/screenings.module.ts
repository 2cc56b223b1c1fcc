import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ProviderModule } from '../provider/provider.module';
import { PendingScreeningWorker } from './pending-screening.worker';
import { ScreeningQueries } from './screening-queries.service';
import { ScreeningsController } from './screenings.controller';
import { ScreeningsService } from './screenings.service';

@Module({
  imports: [ProviderModule, AlertsModule],
  controllers: [ScreeningsController],
  providers: [ScreeningsService, ScreeningQueries, PendingScreeningWorker],
  exports: [ScreeningsService, PendingScreeningWorker, ProviderModule],
})
export class ScreeningsModule {}
