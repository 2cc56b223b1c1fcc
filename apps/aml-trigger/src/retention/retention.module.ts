import { Module } from '@nestjs/common';
import { ErasureTombstones } from './erasure-tombstones';
import { RetentionService } from './retention.service';

@Module({ providers: [RetentionService, ErasureTombstones], exports: [RetentionService, ErasureTombstones] })
export class RetentionModule {}
