import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Min } from 'class-validator';
import { canonicalJson } from '../canonical-json';

/** `audit.checkpoint`: the signed head of the audit chain. */
export class AuditCheckpointData {
  @IsInt() @Min(0) sequence!: number;
  @Matches(/^[0-9a-f]{64}$/) hash!: string;
  @IsISO8601() signedAt!: string;
  @IsIn(['Ed25519']) algorithm!: string;
  /**
   * The checkpoint before this one (sequence and hash; 0 and 64 zeros before the first): signed too,
   * so checkpoints form a chain of their own and a deleted one is noticed.
   */
  @IsOptional() @IsInt() @Min(0) previousSequence?: number;
  @IsOptional() @Matches(/^[0-9a-f]{64}$/) previousHash?: string;
  /** Base64 Ed25519 signature over `auditCheckpointMessage(...)` of the fields above. */
  @IsString() signature!: string;
  /** First 16 hex characters of SHA-256 over the signer's public key (SPKI DER). */
  @IsString() keyId!: string;
  /** The signer's public key (SPKI PEM), for convenience: trust it only if its keyId matches a key you hold. */
  @IsOptional() @IsString() publicKey?: string;
}

/**
 * The exact bytes a checkpoint signature covers (UTF-8 of this string), so anyone holding the
 * public key can verify a published head: canonical JSON of {hash, previousHash, previousSequence,
 * sequence, signedAt} (checkpoints signed before they were chained: {hash, sequence, signedAt}).
 */
export function auditCheckpointMessage(head: { sequence: number; hash: string; signedAt: string; previousSequence?: number | null; previousHash?: string | null }): string {
  const chained = head.previousSequence !== undefined && head.previousSequence !== null && typeof head.previousHash === 'string';
  return canonicalJson(
    chained
      ? { hash: head.hash, previousHash: head.previousHash, previousSequence: head.previousSequence, sequence: head.sequence, signedAt: head.signedAt }
      : { hash: head.hash, sequence: head.sequence, signedAt: head.signedAt },
  );
}
