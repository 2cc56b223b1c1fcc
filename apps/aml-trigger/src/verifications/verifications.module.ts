import { Module } from '@nestjs/common';
import { RetentionModule } from '../retention/retention.module';
import { ScreeningsModule } from '../screenings/screenings.module';
import { AmlTriggerController } from './aml-trigger.controller';
import { ApprovedVerificationHandler } from './approved-verification.handler';

@Module({ imports: [ScreeningsModule, RetentionModule], controllers: [AmlTriggerController], providers: [ApprovedVerificationHandler] })
export class VerificationsModule {}
