import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { KYC_STATUSES, type KycStatus } from '@compliance/contracts';
import { UnmaskReason, type IdentityVisibility } from '@compliance/platform';

export class DecisionSummaryView {
  @ApiPropertyOptional({ example: 'Passport' }) documentType?: string;
  @ApiPropertyOptional({ example: 'ESP' }) issuingCountry?: string;
  @ApiPropertyOptional({ example: 96 }) livenessScore?: number;
  @ApiPropertyOptional({ example: 91.2 }) faceMatchScore?: number;
  @ApiPropertyOptional({ type: [String], example: ['vpn'] }) ipRiskFlags?: string[];
  @ApiPropertyOptional({ example: { status: 'Approved', totalHits: 0, score: 0 } }) providerAml?: { status?: string; totalHits?: number; score?: number };
}

export class IdentityView {
  @ApiProperty({ enum: ['full', 'masked'], description: 'full for auditor and admin keys; masked for analyst keys unless they unmask it with a reason' }) visibility!: 'full' | 'masked';
  @ApiPropertyOptional() fullName?: string;
  @ApiPropertyOptional({ description: 'full visibility only' }) firstName?: string;
  @ApiPropertyOptional({ description: 'full visibility only' }) lastName?: string;
  @ApiPropertyOptional({ description: 'masked: the year only' }) dateOfBirth?: string;
  @ApiPropertyOptional() nationality?: string;
  @ApiPropertyOptional() documentType?: string;
  @ApiPropertyOptional({ description: 'masked: the last three characters only' }) documentNumber?: string;
  @ApiPropertyOptional() issuingState?: string;
  @ApiPropertyOptional({ description: 'full visibility only' }) address?: string;
}

export class HistoryEntryView {
  @ApiPropertyOptional({ enum: KYC_STATUSES, nullable: true }) status!: KycStatus | null;
  @ApiPropertyOptional({ example: 'In Progress', nullable: true }) providerStatus!: string | null;
  @ApiPropertyOptional({ enum: KYC_STATUSES, nullable: true }) previousStatus!: KycStatus | null;
  @ApiProperty({ enum: ['transition', 'repeat', 'stale', 'data_updated'] }) outcome!: string;
  @ApiProperty({ description: 'older than the state when it arrived: kept, never applied' }) stale!: boolean;
  @ApiProperty() decisionApplied!: boolean;
  @ApiProperty({ example: 'status.updated' }) webhookType!: string;
  @ApiProperty({ example: 'didit-v3' }) payloadVersion!: string;
  @ApiProperty() deliveryId!: string;
  @ApiProperty({ description: 'provider event time' }) occurredAt!: string;
  @ApiProperty({ description: 'when the gateway received it' }) receivedAt!: string;
}

export class VerificationSummaryView {
  @ApiProperty() sessionId!: string;
  @ApiProperty({ example: 'didit' }) provider!: string;
  @ApiPropertyOptional({ nullable: true, description: 'null after an erasure' }) subjectRef!: string | null;
  @ApiPropertyOptional({ nullable: true }) workflowId!: string | null;
  @ApiProperty({ enum: KYC_STATUSES }) status!: KycStatus;
  @ApiPropertyOptional({ nullable: true, example: 'Approved' }) providerStatus!: string | null;
  @ApiPropertyOptional({ enum: KYC_STATUSES, nullable: true }) previousStatus!: KycStatus | null;
  @ApiProperty() terminal!: boolean;
  @ApiProperty() transitions!: number;
  @ApiProperty({ description: 'provider time of the current status' }) statusAt!: string;
  @ApiPropertyOptional({ nullable: true, description: 'terminal decision time; the retention clock' }) decidedAt!: string | null;
  @ApiProperty() firstEventAt!: string;
  @ApiProperty() lastEventAt!: string;
  @ApiPropertyOptional({ type: DecisionSummaryView, nullable: true }) decision!: DecisionSummaryView | null;
  @ApiPropertyOptional({ nullable: true }) erasedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class VerificationView extends VerificationSummaryView {
  @ApiPropertyOptional({ type: IdentityView, nullable: true }) identity!: IdentityView | null;
  @ApiProperty({ type: [HistoryEntryView], description: 'every report received, in arrival order' }) history!: HistoryEntryView[];
}

export class SubjectVerificationsPage {
  @ApiProperty() subjectRef!: string;
  @ApiProperty({ type: [VerificationSummaryView], description: 'newest first' }) items!: VerificationSummaryView[];
  @ApiPropertyOptional({ nullable: true, description: 'pass as `cursor` for the next page; null on the last page' }) nextCursor!: string | null;
}

export class SubjectVerificationsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(100, { message: 'limit must be between 1 and 100' })
  limit = 20;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}

export const IDENTITY_VISIBILITIES: readonly IdentityVisibility[] = ['full', 'masked'];
export type { IdentityVisibility };

export class VerificationQuery {
  @ApiPropertyOptional({
    enum: IDENTITY_VISIBILITIES,
    description: 'default: full for auditor and admin keys, masked for analyst keys; `full` with an analyst key needs a `reason` (403 REASON_REQUIRED without one)',
  })
  @IsOptional()
  @IsIn(IDENTITY_VISIBILITIES, { message: 'identity must be full or masked' })
  identity?: IdentityVisibility;

  @UnmaskReason()
  reason?: string;
}
