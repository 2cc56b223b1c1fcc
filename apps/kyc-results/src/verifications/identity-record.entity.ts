import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The identity attributes of a session's decision. `*_enc` columns hold PiiCipher ciphertext bound
 * to (session, column); document type and issuing state are not personal and stay queryable.
 */
@Entity({ name: 'identity_attributes' })
export class IdentityRecord {
  @PrimaryColumn({ name: 'session_id', type: 'text' }) sessionId!: string;
  @Column({ name: 'document_type', type: 'text', nullable: true }) documentType!: string | null;
  @Column({ name: 'issuing_state', type: 'text', nullable: true }) issuingState!: string | null;
  @Column({ name: 'first_name_enc', type: 'text', nullable: true }) firstNameEnc!: string | null;
  @Column({ name: 'last_name_enc', type: 'text', nullable: true }) lastNameEnc!: string | null;
  @Column({ name: 'full_name_enc', type: 'text', nullable: true }) fullNameEnc!: string | null;
  @Column({ name: 'date_of_birth_enc', type: 'text', nullable: true }) dateOfBirthEnc!: string | null;
  @Column({ name: 'nationality_enc', type: 'text', nullable: true }) nationalityEnc!: string | null;
  @Column({ name: 'document_number_enc', type: 'text', nullable: true }) documentNumberEnc!: string | null;
  @Column({ name: 'address_enc', type: 'text', nullable: true }) addressEnc!: string | null;
  /** Keyed digest of the attributes: tells an identity change apart without decrypting. */
  @Column({ name: 'identity_digest', type: 'text' }) identityDigest!: string;
  @Column({ name: 'key_id', type: 'text' }) keyId!: string;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
