import { Global, Module } from '@nestjs/common';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { PiiCipher } from '@compliance/persistence';
import { PiiRekeyService } from './pii-rekey.service';

@Global()
@Module({
  providers: [{ provide: PiiCipher, useFactory: (config: AmlTriggerConfig) => new PiiCipher(config.PII_ENCRYPTION_KEY, 'aml-trigger'), inject: [AmlTriggerConfig] }, PiiRekeyService],
  exports: [PiiCipher],
})
export class PiiModule {}
