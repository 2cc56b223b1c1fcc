import { Module } from '@nestjs/common';
import { SourceRegistry } from '../signatures/source-registry';
import { SpoolModule } from '../spool/spool.module';
import { DeliveryLedger } from './delivery-ledger';
import { FailureThrottle } from './failure-throttle';
import { RejectionReporter } from './rejection-reporter';
import { WebhookAcceptance } from './webhook-acceptance';
import { WebhookDataKeys } from './webhook-data-keys';
import { WebhookIngestService } from './webhook-ingest.service';
import { WebhookController } from './webhook.controller';

/** POST /webhooks/:source — verify, make durable, answer. */
@Module({
  imports: [SpoolModule],
  controllers: [WebhookController],
  providers: [SourceRegistry, DeliveryLedger, FailureThrottle, RejectionReporter, WebhookAcceptance, WebhookIngestService, WebhookDataKeys],
})
export class IngestModule {}
