import { Injectable } from '@nestjs/common';
import { PiiCipher, type SealedTable } from '@compliance/persistence';
import { PiiRekeyOnStart, ServiceRuntime } from '@compliance/platform';
import { IdentityVault } from '../verifications/identity-vault';

/** After a PII key rotation, moves stored identities to the current key (see docs/kyc-results.md). */
@Injectable()
export class PiiRekeyService extends PiiRekeyOnStart {
  constructor(
    runtime: ServiceRuntime,
    cipher: PiiCipher,
    private readonly vault: IdentityVault,
  ) {
    super(runtime, cipher);
  }

  protected tables(): SealedTable[] {
    return [this.vault.sealedTable()];
  }
}
