import { Module } from '@nestjs/common';
import { KycResultsConfig } from '../kyc-results.config';
import { PiiRekeyService } from '../pii/pii-rekey.service';
import { OnfidoClient } from '../providers/onfido-client';
import { PROVIDER_APIS } from '../providers/provider-adapter';
import { SumsubClient } from '../providers/sumsub-client';
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
  providers: [
    IdentityVault,
    VerificationRecorder,
    VerificationQueryService,
    WebhookIntake,
    PiiRekeyService,
    // Provider APIs that complete webhooks before they are read (Onfido: disabled without ONFIDO_API_TOKEN;
    // Sumsub: disabled without SUMSUB_APP_TOKEN and SUMSUB_SECRET_KEY).
    { provide: OnfidoClient, useFactory: (config: KycResultsConfig) => OnfidoClient.fromConfig(config), inject: [KycResultsConfig] },
    { provide: SumsubClient, useFactory: (config: KycResultsConfig) => SumsubClient.fromConfig(config), inject: [KycResultsConfig] },
    { provide: PROVIDER_APIS, useFactory: (onfido: OnfidoClient, sumsub: SumsubClient) => [onfido, sumsub], inject: [OnfidoClient, SumsubClient] },
  ],
  exports: [WebhookIntake, IdentityVault],
})
export class VerificationsModule {}
