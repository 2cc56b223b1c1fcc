import { Module } from '@nestjs/common';
import { PiiRekeyService } from '../pii/pii-rekey.service';
import { RetentionModule } from '../retention/retention.module';
import { IdentityVault } from './identity-vault';
import { VerificationQueryService } from './verification-query.service';
import { VerificationRecorder } from './verification-recorder';
import { VerificationsController } from './verifications.controller';
import { WebhookIntake } from './webhook-intake';

@Module({
  // The recorder reads the erasure tombstones the retention commands write.
  imports: [RetentionModule],
  controllers: [VerificationsController],
  providers: [IdentityVault, VerificationRecorder, VerificationQueryService, WebhookIntake, PiiRekeyService],
  exports: [WebhookIntake, IdentityVault],
})
export class VerificationsModule {}
