import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsISO8601, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, ValidateIf, ValidateNested } from 'class-validator';
import { Sealable, unlessSealed } from '../sealed-fields';
import { KYC_STATUSES, type KycStatus } from '../event-types';

/**
 * Statuses that end a verification with a decision or an outcome; reaching one (re)starts the
 * verification_data retention clock (`decidedAt`). `resubmitted` reopens the session, so it is not here.
 */
export const KYC_TERMINAL_STATUSES: readonly KycStatus[] = ['approved', 'declined', 'expired', 'abandoned', 'kyc_expired'];
export const isTerminalKycStatus = (status: KycStatus): boolean => KYC_TERMINAL_STATUSES.includes(status);

/** `transition`: the status changed; `data_updated`: only the decision data changed (Didit `data.updated`). */
export const KYC_CHANGES = ['transition', 'data_updated'] as const;
export type KycChange = (typeof KYC_CHANGES)[number];

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

/**
 * `kyc.identity.accessed` on kyc.verifications.v1, keyed by session: a caller was shown the identity
 * unmasked. Names the caller and the fields shown, never their values.
 */
export class KycIdentityAccessedData {
  @IsString() @IsNotEmpty() sessionId!: string;
  @IsOptional() @IsString() subjectRef?: string;
  /** The API key's name. */
  @IsString() @IsNotEmpty() accessedBy!: string;
  @IsString() @IsNotEmpty() role!: string;
  @IsArray() @IsString({ each: true }) fields!: string[];
  @IsISO8601() accessedAt!: string;
  /** Why the caller unmasked it (`?reason=`, 8 to 500 characters): required of analysts, optional for auditors and admins. */
  @IsOptional() @IsString() @IsNotEmpty() reason?: string;
}

/** `kyc.verification.<status>` on kyc.verifications.v1, keyed by session. */
export class KycVerificationData {
  @IsString() @IsNotEmpty() sessionId!: string;
  @IsOptional() @IsString() subjectRef?: string;
  @IsString() @IsNotEmpty() provider!: string;
  @IsIn(KYC_STATUSES) status!: KycStatus;
  @IsOptional() @IsIn(KYC_STATUSES) previousStatus?: KycStatus | null;
  /** The provider's event time of the change (Didit `created_at`), not the time kyc-results saw it. */
  @IsISO8601() occurredAt!: string;
  /** `transition` for a status change, `data_updated` when only the decision data changed. */
  @IsIn(KYC_CHANGES) change!: KycChange;
  @IsOptional() @IsString() workflowId?: string;
  @IsOptional() @ValidateNested() @Type(() => DecisionSummary) decision?: DecisionSummary;
  /** Sealed under the person's data key when kyc-results has a keyring (docs/privacy.md). */
  @IsOptional() @Sealable() @ValidateIf(unlessSealed('identity')) @ValidateNested() @Type(() => ScreeningIdentity) identity?: ScreeningIdentity | string;
  @IsOptional() @IsBoolean() terminal?: boolean;
  /** The provider's exact status string (Didit `In Review`...), for people reading the topic. */
  @IsOptional() @IsString() providerStatus?: string;
  /** When the session last reached a terminal status: where the verification_data retention clock starts. */
  @IsOptional() @IsISO8601() decidedAt?: string;
}
