import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { PiiCipher, type SealedTable } from '@compliance/persistence';
import { PiiRekeyOnStart } from '@compliance/platform';
import { IdentityVault } from '../verifications/identity-vault';

/** After a PII key rotation, moves stored identities to the current key (see docs/kyc-results.md). */
@Injectable()
export class PiiRekeyService extends PiiRekeyOnStart {
  constructor(
    dataSource: DataSource,
    cipher: PiiCipher,
    logger: PinoLogger,
    private readonly vault: IdentityVault,
  ) {
    super(dataSource, cipher, logger);
  }

  protected tables(): SealedTable[] {
    return [this.vault.sealedTable()];
  }
}
