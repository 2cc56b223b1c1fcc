import { Module } from '@nestjs/common';
import { RetentionModule } from '../retention/retention.module';
import { ReconciliationService } from './reconciliation.service';

/** Transitions no webhook brought, read from the providers' decision APIs (each on when its API credentials are set). */
@Module({ imports: [RetentionModule], providers: [ReconciliationService], exports: [ReconciliationService] })
export class ReconciliationModule {}
