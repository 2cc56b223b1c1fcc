import { Module } from '@nestjs/common';
import { RawWebhookRetention } from './raw-webhook-retention.service';
import { RetentionConsumer } from './retention.consumer';

@Module({ providers: [RawWebhookRetention, RetentionConsumer] })
export class RetentionModule {}
