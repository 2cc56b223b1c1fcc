import { Module } from '@nestjs/common';
import { ErasureModule } from '../erasure/erasure.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { PurgesModule } from '../purges/purges.module';
import { RetentionController } from './retention.controller';

@Module({ imports: [LifecycleModule, PurgesModule, ErasureModule], controllers: [RetentionController] })
export class ConsumerModule {}
