import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataKeyDestroyedError, isSealed, openValue, sealedKeyId, sealValue, type DataKeyMissingError } from '@compliance/contracts';
import { dataKeyOwner, PiiCipher, type DataKeyOwner, type Keyring } from '@compliance/persistence';
import { KEYRING, openRecords, sealRecords, type RecordSealRequest } from '@compliance/platform';

/**
 * Whose data key an identity aml-trigger holds is sealed under: the one kyc-results sealed it with —
 * the subject's, or the session's when the verification named no subject (aml-trigger then uses the
 * session id as the subject reference).
 */
export const identityOwnerOf = (subjectRef: string, sessionId?: string | null): DataKeyOwner => dataKeyOwner(subjectRef === sessionId ? undefined : subjectRef, sessionId) as DataKeyOwner;

/**
 * Identities at rest in aml-trigger (screening inputs, monitored subjects): sealed under the person's
 * data key (crypto-shredding), then encrypted under the PII key as before. A backup restored after an
 * erasure opens nothing of that person; PII-key rotation is unchanged. Without a keyring, the PII key only.
 */
@Injectable()
export class IdentitySealing {
  constructor(
    private readonly cipher: PiiCipher,
    @Optional() @Inject(KEYRING) private readonly keyring: Keyring | null = null,
  ) {}

  /** Seals each value for storage (one keyring round trip for all; the keyring caches by owner). */
  async sealAll(items: Array<{ value: unknown; owner: DataKeyOwner; context: string }>): Promise<string[]> {
    if (!this.keyring || items.length === 0) return items.map((i) => this.cipher.sealJson(i.value, i.context));
    const keys = await this.keyring.keysFor(items.map((i) => i.owner));
    return items.map((i, n) => this.cipher.sealJson(sealValue(i.value, keys[n].key, keys[n].keyId, i.context, 'identity'), i.context));
  }

  async seal(value: unknown, owner: DataKeyOwner, context: string): Promise<string> {
    const [sealed] = await this.sealAll([{ value, owner, context }]);
    return sealed;
  }

  /**
   * Personal fields of other rows (hit names, alert summaries and notes), sealed in place under the
   * person's data key only: they were kept in clear before, and their columns stay as they are
   * (jsonb, text). One keyring round trip for all; without a keyring, as given.
   */
  sealFields<T>(records: Array<RecordSealRequest<T>>): Promise<T[]> {
    return sealRecords(this.keyring, records);
  }

  /** sealFields' counterpart: a value under a destroyed key reads "[erased]"; a record under a missing key is its error. */
  openFields<T>(records: Array<{ data: T; context: string }>): Promise<Array<T | DataKeyMissingError>> {
    return openRecords(this.keyring, records);
  }

  /**
   * The stored value in clear, or undefined when it was sealed under a data key an erasure destroyed.
   * Throws when it cannot be decrypted otherwise (a PII key or keyring entry missing).
   */
  async open<T>(stored: string, context: string): Promise<T | undefined> {
    const outer = this.cipher.openJson<unknown>(stored, context);
    if (!isSealed(outer)) return outer as T;
    if (!this.keyring) throw new Error('the stored identity is sealed under a data key but no keyring is configured (KEYRING_MASTER_KEY)');
    try {
      return openValue<T>(outer, await this.keyring.dataKey(sealedKeyId(outer)), context, 'identity');
    } catch (err) {
      if (err instanceof DataKeyDestroyedError) return undefined;
      throw err;
    }
  }
}
