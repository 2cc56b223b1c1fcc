import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { canonicalJson } from '@compliance/contracts';
import { PiiCipher, type SealedTable } from '@compliance/persistence';
import type { IdentityAttributes } from '../providers/verification-report';
import { IdentityRecord } from './identity-record.entity';

type PersonalField = 'firstName' | 'lastName' | 'fullName' | 'dateOfBirth' | 'nationality' | 'documentNumber' | 'address';
type EncryptedColumn = `${PersonalField}Enc`;

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

  /**
   * How `identity` compares with the stored attributes. The digest tells without decrypting; a record
   * written under an older key (its digest keyed by that key) is compared in clear instead.
   */
  async compare(m: EntityManager, sessionId: string, identity: IdentityAttributes): Promise<'absent' | 'same' | 'changed' | 'same-under-older-key'> {
    const stored = await m.findOne(IdentityRecord, { where: { sessionId }, select: { sessionId: true, identityDigest: true, keyId: true } });
    if (!stored) return 'absent';
    if (stored.keyId === this.cipher.keyId) return stored.identityDigest === this.digestOf(identity) ? 'same' : 'changed';
    const row = (await m.findOne(IdentityRecord, { where: { sessionId } })) as IdentityRecord;
    return canonicalJson(this.open(row)) === canonicalJson(withoutEmpty(identity)) ? 'same-under-older-key' : 'changed';
  }

  async store(m: EntityManager, sessionId: string, identity: IdentityAttributes): Promise<void> {
    const record: Partial<IdentityRecord> = {
      sessionId,
      documentType: identity.documentType ?? null,
      issuingState: identity.issuingState ?? null,
      identityDigest: this.digestOf(identity),
      keyId: this.cipher.keyId,
    };
    for (const field of PERSONAL_FIELDS) record[column(field)] = this.cipher.encryptOptional(identity[field], contextOf(sessionId, field));
    await m.upsert(IdentityRecord, record, ['sessionId']);
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

  async load(m: EntityManager, sessionId: string): Promise<IdentityAttributes | undefined> {
    const record = await m.findOne(IdentityRecord, { where: { sessionId } });
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

/** The attributes as they read back from storage: empty values are not stored. */
function withoutEmpty(identity: IdentityAttributes): IdentityAttributes {
  return Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined && v !== null && v !== '')) as IdentityAttributes;
}
