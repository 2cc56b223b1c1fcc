import { Global, Module } from '@nestjs/common';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { PiiCipher } from './pii-cipher';

@Global()
@Module({
  providers: [{ provide: PiiCipher, useFactory: (config: AmlTriggerConfig) => new PiiCipher(config.PII_ENCRYPTION_KEY), inject: [AmlTriggerConfig] }],
  exports: [PiiCipher],
})
export class PiiModule {}
