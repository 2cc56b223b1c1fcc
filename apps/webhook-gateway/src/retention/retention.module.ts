import { Module } from '@nestjs/common';
import { RawWebhookRetention } from './raw-webhook-retention.service';
import { RetentionController } from './retention.controller';

@Module({ controllers: [RetentionController], providers: [RawWebhookRetention] })
export class RetentionModule {}
