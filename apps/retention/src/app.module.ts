import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@compliance/platform';
import { Clock, ClockModule } from './clock/clock';
import { ConsumerModule } from './consumer/consumer.module';
import { ErasureModule } from './erasure/erasure.module';
import { LegalHoldsModule } from './legal-holds/legal-holds.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MIGRATIONS } from './migrations';
import { PoliciesModule } from './policies/policies.module';
import { RetentionConfig } from './retention.config';
import { SweepModule } from './sweep/sweep.module';

export const SERVICE_NAME = 'retention';
export const SCHEMA = 'retention';

@Module({})
export class AppModule {
  /** `clock` lets tests move time by days; production uses the system clock. */
  static register(config: RetentionConfig, opts: { clock?: Clock } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, schema: SCHEMA, config, migrations: MIGRATIONS }),
        ClockModule.register(opts.clock),
        PoliciesModule,
        LifecycleModule,
        ErasureModule,
        LegalHoldsModule,
        ConsumerModule,
        SweepModule,
      ],
    };
  }
}
