import { Module } from '@nestjs/common';
import { RetentionModule } from '../retention/retention.module';
import { VerificationsModule } from '../verifications/verifications.module';
import { InboundConsumer } from './inbound.consumer';

@Module({ imports: [VerificationsModule, RetentionModule], providers: [InboundConsumer] })
export class InboundModule {}
