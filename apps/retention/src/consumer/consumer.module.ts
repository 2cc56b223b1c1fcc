import { Module } from '@nestjs/common';
import { ErasureModule } from '../erasure/erasure.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { PurgesModule } from '../purges/purges.module';
import { RetentionConsumer } from './retention.consumer';

@Module({ imports: [LifecycleModule, PurgesModule, ErasureModule], providers: [RetentionConsumer] })
export class ConsumerModule {}
