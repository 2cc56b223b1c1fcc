import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Min } from 'class-validator';
import { canonicalJson } from '../canonical-json';

/** `audit.checkpoint`: the signed head of the audit chain. */
export class AuditCheckpointData {
  @IsInt() @Min(0) sequence!: number;
  @Matches(/^[0-9a-f]{64}$/) hash!: string;
  @IsISO8601() signedAt!: string;
  @IsIn(['Ed25519']) algorithm!: string;
  /** Base64 Ed25519 signature over `auditCheckpointMessage(sequence, hash, signedAt)`. */
  @IsString() signature!: string;
  /** First 16 hex characters of SHA-256 over the signer's public key (SPKI DER). */
  @IsString() keyId!: string;
  /** The signer's public key (SPKI PEM), for convenience: trust it only if its keyId matches a key you hold. */
  @IsOptional() @IsString() publicKey?: string;
}

/**
 * The exact bytes a checkpoint signature covers (UTF-8 of this string), so anyone holding the
 * public key can verify a published head: canonical JSON of {hash, sequence, signedAt}.
 */
export function auditCheckpointMessage(head: { sequence: number; hash: string; signedAt: string }): string {
  return canonicalJson({ hash: head.hash, sequence: head.sequence, signedAt: head.signedAt });
}
