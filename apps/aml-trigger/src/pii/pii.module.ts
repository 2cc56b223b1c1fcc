import { Global, Module } from '@nestjs/common';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { PiiCipher } from '@compliance/persistence';
import { IdentitySealing } from './identity-sealing';
import { PiiRekeyService } from './pii-rekey.service';

@Global()
@Module({
  providers: [{ provide: PiiCipher, useFactory: (config: AmlTriggerConfig) => new PiiCipher(config.PII_ENCRYPTION_KEY, 'aml-trigger'), inject: [AmlTriggerConfig] }, PiiRekeyService, IdentitySealing],
  exports: [PiiCipher, IdentitySealing],
})
export class PiiModule {}
