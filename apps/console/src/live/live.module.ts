import { Module } from '@nestjs/common';
import { AlertHub } from './alert-hub';
import { EventsController } from './events.controller';
import { kafkaProviders } from './kafka.providers';
import { KafkaAdmin } from './kafka-admin';
import { LiveFeed } from './live-feed';

@Module({
  controllers: [EventsController],
  providers: [...kafkaProviders, KafkaAdmin, AlertHub, LiveFeed],
  exports: [...kafkaProviders, KafkaAdmin, LiveFeed],
})
export class LiveModule {}
