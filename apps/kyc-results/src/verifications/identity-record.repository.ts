import type { EntityManager } from 'typeorm';
import { affectedRows } from '@compliance/messaging';
import { preparedStatement, runPrepared } from '@compliance/persistence';
import { rowSet, type Queryable, type SqlColumn } from './sql-rows';

/**
 * The identity attributes of a session's decision. `*_enc` columns hold PiiCipher ciphertext bound
 * to (session, column); document type and issuing state are not personal and stay queryable.
 */
export interface IdentityRecordRow {
  session_id: string;
  document_type: string | null;
  issuing_state: string | null;
  first_name_enc: string | null;
  last_name_enc: string | null;
  full_name_enc: string | null;
  date_of_birth_enc: string | null;
  nationality_enc: string | null;
  document_number_enc: string | null;
  address_enc: string | null;
  /** Keyed digest of the attributes: tells an identity change apart without decrypting. */
  identity_digest: string;
  key_id: string;
  /** The data key the personal fields are sealed under inside their PII-key encryption (crypto-shredding); null without a keyring. */
  data_key_id: string | null;
  updated_at: Date;
}

/** A session's identity as the vault seals and opens it (`updated_at` is the database's). */
export interface IdentityRecord {
  sessionId: string;
  documentType: string | null;
  issuingState: string | null;
  firstNameEnc: string | null;
  lastNameEnc: string | null;
  fullNameEnc: string | null;
  dateOfBirthEnc: string | null;
  nationalityEnc: string | null;
  documentNumberEnc: string | null;
  addressEnc: string | null;
  identityDigest: string;
  keyId: string;
  dataKeyId: string | null;
}

/** The columns a record is written with, the key first. */
const IDENTITY_COLUMNS: ReadonlyArray<SqlColumn<IdentityRecord>> = [
  ['sessionId', 'session_id', 'text'],
  ['documentType', 'document_type', 'text'],
  ['issuingState', 'issuing_state', 'text'],
  ['firstNameEnc', 'first_name_enc', 'text'],
  ['lastNameEnc', 'last_name_enc', 'text'],
  ['fullNameEnc', 'full_name_enc', 'text'],
  ['dateOfBirthEnc', 'date_of_birth_enc', 'text'],
  ['nationalityEnc', 'nationality_enc', 'text'],
  ['documentNumberEnc', 'document_number_enc', 'text'],
  ['addressEnc', 'address_enc', 'text'],
  ['identityDigest', 'identity_digest', 'text'],
  ['keyId', 'key_id', 'text'],
  ['dataKeyId', 'data_key_id', 'text'],
];

/** Every column of the table, for statements that read a record alongside other rows. */
export const IDENTITY_ROW_COLUMNS: readonly string[] = [...IDENTITY_COLUMNS.map(([, name]) => name), 'updated_at'];

export const identityOf = (row: IdentityRecordRow): IdentityRecord => ({
  sessionId: row.session_id,
  documentType: row.document_type,
  issuingState: row.issuing_state,
  firstNameEnc: row.first_name_enc,
  lastNameEnc: row.last_name_enc,
  fullNameEnc: row.full_name_enc,
  dateOfBirthEnc: row.date_of_birth_enc,
  nationalityEnc: row.nationality_enc,
  documentNumberEnc: row.document_number_enc,
  addressEnc: row.address_enc,
  identityDigest: row.identity_digest,
  keyId: row.key_id,
  dataKeyId: row.data_key_id,
});

export async function findIdentity(q: Queryable, sessionId: string): Promise<IdentityRecord | undefined> {
  const [row]: IdentityRecordRow[] = await q.query('SELECT * FROM identity_attributes WHERE session_id = $1', [sessionId]);
  return row ? identityOf(row) : undefined;
}

/** Writes identity records (ciphertext only), replacing a session's earlier one, in one statement. */
export async function upsertIdentities(q: Queryable, records: IdentityRecord[]): Promise<void> {
  if (records.length === 0) return;
  const set = rowSet(IDENTITY_COLUMNS, records);
  const updates = set.columns.filter((c) => c !== 'session_id').map((c) => `${c} = EXCLUDED.${c}`);
  await runPrepared(
    q,
    preparedStatement(`INSERT INTO identity_attributes (${set.columns.join(', ')})
     SELECT ${set.columns.map((c) => set.value(c)).join(', ')} FROM ${set.from} ORDER BY r.session_id
     ON CONFLICT (session_id) DO UPDATE SET ${updates.join(', ')}, updated_at = now()`),
    set.params,
  );
}

/** Deletes the sessions' identities; the number deleted. */
export function deleteIdentities(m: EntityManager, sessionIds: string[]): Promise<number> {
  return affectedRows(m, 'DELETE FROM identity_attributes WHERE session_id = ANY($1)', [sessionIds]);
}
