import { Module } from '@nestjs/common';
import { RetentionModule } from '../retention/retention.module';
import { VerificationsModule } from '../verifications/verifications.module';
import { InboundController } from './inbound.controller';

@Module({ imports: [VerificationsModule, RetentionModule], controllers: [InboundController] })
export class InboundModule {}
