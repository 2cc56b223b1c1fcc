import { Module } from '@nestjs/common';
import { ErasureModule } from '../erasure/erasure.module';
import { PoliciesModule } from '../policies/policies.module';
import { PurgesModule } from '../purges/purges.module';
import { RetentionSweep } from './retention-sweep.service';

@Module({ imports: [PoliciesModule, PurgesModule, ErasureModule], providers: [RetentionSweep], exports: [RetentionSweep] })
export class SweepModule {}
