import { Module } from '@nestjs/common';
import { LiveModule } from '../live/live.module';
import { ConsumerLag } from './consumer-lag';
import { OperationsController } from './operations.controller';

@Module({ imports: [LiveModule], controllers: [OperationsController], providers: [ConsumerLag] })
export class OperationsModule {}
