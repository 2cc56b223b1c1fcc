import { Module } from '@nestjs/common';
import { RetentionCommandsService } from './retention-commands.service';

@Module({ providers: [RetentionCommandsService], exports: [RetentionCommandsService] })
export class RetentionModule {}
