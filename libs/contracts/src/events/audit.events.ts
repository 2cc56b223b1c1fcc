import { IsIn, IsInt, IsISO8601, IsString, Matches, Min } from 'class-validator';

/** `audit.checkpoint`: the signed head of the audit chain. */
export class AuditCheckpointData {
  @IsInt() @Min(0) sequence!: number;
  @Matches(/^[0-9a-f]{64}$/) hash!: string;
  @IsISO8601() signedAt!: string;
  @IsIn(['Ed25519']) algorithm!: string;
  @IsString() signature!: string;
  @IsString() keyId!: string;
}
