import { Injectable } from '@nestjs/common';
import { canonicalJson } from '@compliance/contracts';
import { PiiCipher, type SealedTable } from '@compliance/persistence';
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

/** Stores and reads identity attributes; personal fields exist in the database only as ciphertext. */
@Injectable()
export class IdentityVault {
  constructor(private readonly cipher: PiiCipher) {}

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

  /** The record that stores `identity` for a session: personal fields encrypted under the current key. */
  seal(sessionId: string, identity: IdentityAttributes): IdentityRecord {
    const sealed = Object.fromEntries(
      PERSONAL_FIELDS.map((field) => [column(field), this.cipher.encryptOptional(identity[field], contextOf(sessionId, field))]),
    ) as Record<EncryptedColumn, string | null>;
    return {
      sessionId,
      documentType: identity.documentType ?? null,
      issuingState: identity.issuingState ?? null,
      ...sealed,
      identityDigest: this.digestOf(identity),
      keyId: this.cipher.keyId,
    };
  }

  async store(q: Queryable, sessionId: string, identity: IdentityAttributes): Promise<void> {
    await upsertIdentities(q, [this.seal(sessionId, identity)]);
  }

  /** The identity table for a re-encryption after a key rotation: digest and key id follow the new key. */
  sealedTable(): SealedTable {
    const fieldOf = new Map(PERSONAL_FIELDS.map((f) => [sqlColumn(f), f]));
    return {
      table: 'identity_attributes',
      key: 'session_id',
      columns: [...fieldOf.keys()],
      context: (row, col) => contextOf(row.session_id as string, fieldOf.get(col) as PersonalField),
      alsoSet: (row, clear) => {
        const identity: IdentityAttributes = {};
        if (row.document_type) identity.documentType = row.document_type;
        if (row.issuing_state) identity.issuingState = row.issuing_state;
        for (const [col, field] of fieldOf) if (clear[col] !== null) identity[field] = clear[col] as string;
        return { identity_digest: this.digestOf(identity), key_id: this.cipher.keyId };
      },
    };
  }

  async load(q: Queryable, sessionId: string): Promise<IdentityAttributes | undefined> {
    const record = await findIdentity(q, sessionId);
    return record ? this.open(record) : undefined;
  }

  open(record: IdentityRecord): IdentityAttributes {
    const identity: IdentityAttributes = {};
    if (record.documentType) identity.documentType = record.documentType;
    if (record.issuingState) identity.issuingState = record.issuingState;
    for (const field of PERSONAL_FIELDS) {
      const value = this.cipher.decryptOptional(record[column(field)], contextOf(record.sessionId, field));
      if (value !== undefined) identity[field] = value;
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
