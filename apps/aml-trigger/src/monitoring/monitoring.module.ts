import { Module } from '@nestjs/common';
import { ScreeningsModule } from '../screenings/screenings.module';
import { MonitoringService } from './monitoring.service';

@Module({ imports: [ScreeningsModule], providers: [MonitoringService], exports: [MonitoringService] })
export class MonitoringModule {}
