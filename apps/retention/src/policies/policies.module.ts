import { Module } from '@nestjs/common';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';
import { TopicRetentionService } from './topic-retention.service';

@Module({
  controllers: [PoliciesController],
  providers: [PoliciesService, TopicRetentionService],
  exports: [PoliciesService, TopicRetentionService],
})
export class PoliciesModule {}
