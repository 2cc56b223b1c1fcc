import { Module } from '@nestjs/common';
import { RetentionModule } from '../retention/retention.module';
import { ScreeningsModule } from '../screenings/screenings.module';
import { AmlTriggerConsumer } from './aml-trigger.consumer';
import { ApprovedVerificationHandler } from './approved-verification.handler';

@Module({ imports: [ScreeningsModule, RetentionModule], providers: [ApprovedVerificationHandler, AmlTriggerConsumer] })
export class VerificationsModule {}
