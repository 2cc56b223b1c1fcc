import { Module } from '@nestjs/common';
import { LifecycleController } from './lifecycle.controller';
import { LifecycleService } from './lifecycle.service';
import { SubjectRetentionQuery } from './subject-retention.query';

@Module({
  controllers: [LifecycleController],
  providers: [LifecycleService, SubjectRetentionQuery],
  exports: [LifecycleService],
})
export class LifecycleModule {}
