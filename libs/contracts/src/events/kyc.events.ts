import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsISO8601, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { KYC_STATUSES, type KycStatus } from '../event-types';

export class DecisionSummary {
  @IsOptional() @IsString() documentType?: string;
  @IsOptional() @IsString() issuingCountry?: string;
  @IsOptional() @IsNumber() livenessScore?: number;
  @IsOptional() @IsNumber() faceMatchScore?: number;
  @IsOptional() @IsArray() @IsString({ each: true }) ipRiskFlags?: string[];
  /** The provider's own AML summary (status, hit count, score), when its decision carried one. */
  @IsOptional() @IsObject() providerAml?: { status?: string; totalHits?: number; score?: number };
}

/** What screening needs; present on approvals and identity-data changes only. */
export class ScreeningIdentity {
  @IsString() @IsNotEmpty() fullName!: string;
  @IsOptional() @IsString() dateOfBirth?: string;
  @IsOptional() @IsString() nationality?: string;
  @IsOptional() @IsString() documentNumber?: string;
}

/** `kyc.verification.<status>` on kyc.verifications.v1, keyed by session. */
export class KycVerificationData {
  @IsString() @IsNotEmpty() sessionId!: string;
  @IsOptional() @IsString() subjectRef?: string;
  @IsString() @IsNotEmpty() provider!: string;
  @IsIn(KYC_STATUSES) status!: KycStatus;
  @IsOptional() @IsIn(KYC_STATUSES) previousStatus?: KycStatus | null;
  @IsISO8601() occurredAt!: string;
  /** `transition` for a status change, `data_updated` when only the decision data changed. */
  @IsIn(['transition', 'data_updated']) change!: 'transition' | 'data_updated';
  @IsOptional() @IsString() workflowId?: string;
  @IsOptional() @ValidateNested() @Type(() => DecisionSummary) decision?: DecisionSummary;
  @IsOptional() @ValidateNested() @Type(() => ScreeningIdentity) identity?: ScreeningIdentity;
  @IsOptional() @IsBoolean() terminal?: boolean;
}
