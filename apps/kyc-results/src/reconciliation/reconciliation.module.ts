import { Module } from '@nestjs/common';
import { RetentionModule } from '../retention/retention.module';
import { ReconciliationService } from './reconciliation.service';

/** Transitions no webhook brought, read from the provider's API (on when DIDIT_API_KEY is set). */
@Module({ imports: [RetentionModule], providers: [ReconciliationService], exports: [ReconciliationService] })
export class ReconciliationModule {}
