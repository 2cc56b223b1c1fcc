import { Module } from '@nestjs/common';
import { ErasureTombstones } from './erasure-tombstones';
import { RetentionCommandsService } from './retention-commands.service';

@Module({ providers: [RetentionCommandsService, ErasureTombstones], exports: [RetentionCommandsService, ErasureTombstones] })
export class RetentionModule {}
