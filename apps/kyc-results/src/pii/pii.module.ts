import { Global, Module } from '@nestjs/common';
import { KycResultsConfig } from '../kyc-results.config';
import { PiiCipher } from '@compliance/persistence';

/** The one PiiCipher of the process, keyed from PII_ENCRYPTION_KEY. */
@Global()
@Module({
  providers: [{ provide: PiiCipher, useFactory: (config: KycResultsConfig) => new PiiCipher(config.PII_ENCRYPTION_KEY, 'kyc-results'), inject: [KycResultsConfig] }],
  exports: [PiiCipher],
})
export class PiiModule {}
