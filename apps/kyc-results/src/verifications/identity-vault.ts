import { Inject, Injectable, Optional } from '@nestjs/common';
import { canonicalJson, DataKeyDestroyedError, isSealed, openValue, sealValue } from '@compliance/contracts';
import { dataKeyOwner, ownerName, PiiCipher, type DataKeyOwner, type IssuedKey, type Keyring, type SealedTable } from '@compliance/persistence';
import { KEYRING } from '@compliance/platform';
import type { IdentityAttributes } from '../providers/verification-report';
import { findIdentity, upsertIdentities, type IdentityRecord } from './identity-record.repository';
import type { Queryable } from './sql-rows';

type PersonalField = 'firstName' | 'lastName' | 'fullName' | 'dateOfBirth' | 'nationality' | 'documentNumber' | 'address';
type EncryptedColumn = `${PersonalField}Enc`;

/** A session's identity while reports are applied: digest and key id as stored, the attributes once known. */
export interface HeldIdentity {
  digest: string;
  keyId: string;
  record?: IdentityRecord;
  clear?: IdentityAttributes;
}

const PERSONAL_FIELDS: readonly PersonalField[] = ['firstName', 'lastName', 'fullName', 'dateOfBirth', 'nationality', 'documentNumber', 'address'];
const column = (field: PersonalField): EncryptedColumn => `${field}Enc`;
/** The database column of a personal field: firstName → first_name_enc. */
const sqlColumn = (field: PersonalField): string => `${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_enc`;
/** Binds a ciphertext to its row and column: copied elsewhere, it no longer decrypts. */
const contextOf = (sessionId: string, field: PersonalField) => `identity_attributes/${field}/${sessionId}`;

/** The data key an identity is sealed under: the subject's, else the session's (as the gateway seals its webhook). */
export const identityOwner = (sessionId: string, subjectRef?: string | null): DataKeyOwner => dataKeyOwner(subjectRef, sessionId) as DataKeyOwner;

/**
 * Stores and reads identity attributes; personal fields exist in the database only as ciphertext.
 * With a keyring (crypto-shredding) each field is first sealed under the person's data key, then
 * encrypted under the PII key as before: a backup taken before an erasure, restored after it, holds
 * nothing readable of that person (the data key is destroyed), and PII-key rotation is unchanged.
 * Sealing and opening stay synchronous: `forBatch` fetches the keys a batch needs first.
 */
@Injectable()
export class IdentityVault {
  /** Data keys at hand, by key id and by owner, for the batch being applied. */
  private readonly keysById = new Map<string, Buffer | Error>();
  private readonly keysByOwner = new Map<string, IssuedKey>();

  constructor(
    private readonly cipher: PiiCipher,
    @Optional() @Inject(KEYRING) private readonly keyring: Keyring | null = null,
  ) {}

  /**
   * A vault for one batch, holding the data keys that opening `records` and sealing for `owners`
   * need (one keyring round trip each; the keyring caches them). Keys are never kept longer than the
   * batch: a later erasure must not find them in a long-lived cache. Without a keyring, this vault.
   */
  async forBatch(records: Array<IdentityRecord | undefined>, owners: DataKeyOwner[] = []): Promise<IdentityVault> {
    if (!this.keyring) return this;
    const scoped = new IdentityVault(this.cipher, this.keyring);
    const ids = [...new Set(records.flatMap((r) => (r?.dataKeyId ? [r.dataKeyId] : [])))];
    if (ids.length) for (const [id, key] of await this.keyring.dataKeys(ids)) scoped.keysById.set(id, key);
    await scoped.issueFor(owners);
    return scoped;
  }

  /** Whether a stored identity was sealed under a key an erasure destroyed (unreadable for good). */
  destroyedKeyOf(record: IdentityRecord): boolean {
    return !!record.dataKeyId && this.keysById.get(record.dataKeyId) instanceof DataKeyDestroyedError;
  }

  /** Fetches (or makes) the data keys of `owners`, for sealing their identities in this batch. */
  async issueFor(owners: DataKeyOwner[]): Promise<void> {
    const wanted = [...new Map(owners.map((o) => [ownerName(o), o])).values()].filter((o) => !this.keysByOwner.has(ownerName(o)));
    if (!this.keyring || wanted.length === 0) return;
    const issued = await this.keyring.keysFor(wanted);
    wanted.forEach((o, i) => {
      this.keysByOwner.set(ownerName(o), issued[i]);
      this.keysById.set(issued[i].keyId, issued[i].key);
    });
  }

  private dataKey(id: string): Buffer {
    const key = this.keysById.get(id);
    if (key instanceof Error) throw key;
    if (!key) throw new Error(`data key ${id} was not fetched for this batch (IdentityVault.forBatch)`);
    return key;
  }

  digestOf(identity: IdentityAttributes): string {
    return this.cipher.digest(canonicalJson(identity));
  }

  /** The identity a session holds once `identity` is stored: digest and key as written, and what reading it back gives. */
  held(identity: IdentityAttributes): HeldIdentity {
    return { digest: this.digestOf(identity), keyId: this.cipher.keyId, clear: asStored(identity) };
  }

  /** The identity a stored record holds; decrypted only when its attributes are asked for (clearOf). */
  heldFromRecord(record: IdentityRecord): HeldIdentity {
    return { digest: record.identityDigest, keyId: record.keyId, record };
  }

  clearOf(held: HeldIdentity): IdentityAttributes {
    held.clear ??= this.open(held.record as IdentityRecord);
    return held.clear;
  }

  /**
   * How `identity` compares with the held attributes. The digest tells without decrypting; a record
   * written under an older key (its digest keyed by that key) is compared in clear instead.
   */
  compareHeld(held: HeldIdentity | undefined, identity: IdentityAttributes): 'absent' | 'same' | 'changed' | 'same-under-older-key' {
    if (!held) return 'absent';
    if (held.keyId === this.cipher.keyId) return held.digest === this.digestOf(identity) ? 'same' : 'changed';
    return canonicalJson(this.clearOf(held)) === canonicalJson(asStored(identity)) ? 'same-under-older-key' : 'changed';
  }

  /**
   * The record that stores `identity` for a session: personal fields encrypted under the current PII
   * key, and first sealed under the owner's data key when there is a keyring (fetched by `forBatch`).
   */
  seal(sessionId: string, identity: IdentityAttributes, owner: DataKeyOwner = { sessionId }): IdentityRecord {
    const dataKey = this.keyring ? this.keysByOwner.get(ownerName(owner)) : undefined;
    if (this.keyring && !dataKey) throw new Error(`no data key fetched for the identity of session ${sessionId} (IdentityVault.forBatch)`);
    const inner = (field: PersonalField): string | undefined =>
      identity[field] === undefined || identity[field] === '' || !dataKey ? identity[field] : sealValue(identity[field], dataKey.key, dataKey.keyId, `identity_attributes/${sessionId}`, field);
    const sealed = Object.fromEntries(
      PERSONAL_FIELDS.map((field) => [column(field), this.cipher.encryptOptional(inner(field), contextOf(sessionId, field))]),
    ) as Record<EncryptedColumn, string | null>;
    return {
      sessionId,
      documentType: identity.documentType ?? null,
      issuingState: identity.issuingState ?? null,
      ...sealed,
      identityDigest: this.digestOf(identity),
      keyId: this.cipher.keyId,
      dataKeyId: dataKey?.keyId ?? null,
    };
  }

  async store(q: Queryable, sessionId: string, identity: IdentityAttributes, subjectRef?: string | null): Promise<void> {
    const owner = identityOwner(sessionId, subjectRef);
    await upsertIdentities(q, [(await this.forBatch([], [owner])).seal(sessionId, identity, owner)]);
  }

  /** The identity table for a re-encryption after a key rotation: digest and key id follow the new key. */
  sealedTable(): SealedTable {
    const fieldOf = new Map(PERSONAL_FIELDS.map((f) => [sqlColumn(f), f]));
    return {
      table: 'identity_attributes',
      key: 'session_id',
      columns: [...fieldOf.keys()],
      context: (row, col) => contextOf(row.session_id as string, fieldOf.get(col) as PersonalField),
      alsoSet: (row, clear): Record<string, string> => {
        const identity: IdentityAttributes = {};
        if (row.document_type) identity.documentType = row.document_type;
        if (row.issuing_state) identity.issuingState = row.issuing_state;
        for (const [col, field] of fieldOf) if (clear[col] !== null) identity[field] = clear[col] as string;
        // Sealed under a data key inside: the digest cannot be recomputed here, so the row keeps its
        // key id and the next comparison is made in clear (compareHeld).
        if (Object.values(identity).some((v) => isSealed(v))) return {};
        return { identity_digest: this.digestOf(identity), key_id: this.cipher.keyId };
      },
    };
  }

  /** The stored identity, or undefined when there is none or its data key was destroyed (the person was erased). */
  async load(q: Queryable, sessionId: string): Promise<IdentityAttributes | undefined> {
    const record = await findIdentity(q, sessionId);
    if (!record) return undefined;
    try {
      return (await this.forBatch([record], [])).open(record);
    } catch (err) {
      if (err instanceof DataKeyDestroyedError) return undefined;
      throw err;
    }
  }

  /** Throws DataKeyDestroyedError when the identity was sealed under a key an erasure destroyed. */
  open(record: IdentityRecord): IdentityAttributes {
    const identity: IdentityAttributes = {};
    if (record.documentType) identity.documentType = record.documentType;
    if (record.issuingState) identity.issuingState = record.issuingState;
    for (const field of PERSONAL_FIELDS) {
      const value = this.cipher.decryptOptional(record[column(field)], contextOf(record.sessionId, field));
      if (value === undefined) continue;
      identity[field] = isSealed(value) ? openValue<string>(value, this.dataKey(record.dataKeyId ?? ''), `identity_attributes/${record.sessionId}`, field) : value;
    }
    return identity;
  }
}

/** The attributes as they read back from storage (see open): empty values are not stored. */
function asStored(identity: IdentityAttributes): IdentityAttributes {
  const out: IdentityAttributes = {};
  for (const field of ['documentType', 'issuingState', ...PERSONAL_FIELDS] as const) if (identity[field]) out[field] = identity[field];
  return out;
}
