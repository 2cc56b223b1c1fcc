import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { IsObjectOrSealed } from './webhook.events';
import { Sealable } from '../sealed-fields';

export const ALERT_KINDS = ['aml_match', 'aml_review', 'aml_screening_failed', 'erasure_overdue', 'purge_overdue', 'dead_letter'] as const;
export const ALERT_SEVERITIES = ['low', 'medium', 'high'] as const;

/** `compliance.alert.raised`: what a human must look at, with what they need to decide. */
export class ComplianceAlertRaisedData {
  @IsString() @IsNotEmpty() alertId!: string;
  @IsIn(ALERT_KINDS) kind!: string;
  @IsIn(ALERT_SEVERITIES) severity!: string;
  @IsOptional() @IsString() subjectRef?: string;
  @IsOptional() @IsString() sessionId?: string;
  @IsOptional() @IsString() screeningId?: string;
  @IsOptional() @IsString() erasureRequestId?: string;
  @IsString() @Sealable() summary!: string;
  @IsOptional() @IsObjectOrSealed() details?: Record<string, unknown> | string;
  @IsISO8601() raisedAt!: string;
}

export class ComplianceAlertResolvedData {
  @IsString() @IsNotEmpty() alertId!: string;
  @IsIn(['false_positive', 'confirmed']) resolution!: string;
  /** Who decided (for a cleared sanctions match: who proposed the clearance). */
  @IsString() reviewer!: string;
  /** For a cleared sanctions match: the second, different person (auditor or admin) who confirmed it. */
  @IsOptional() @IsString() secondReviewer?: string;
  @IsOptional() @IsString() @Sealable() note?: string;
  @IsOptional() @IsString() subjectRef?: string;
  @IsOptional() @IsString() sessionId?: string;
  @IsISO8601() resolvedAt!: string;
}

/**
 * `compliance.alert.review.proposed`: an analyst proposes clearing a likely sanctions match
 * (`aml_match`) as a false positive. It takes effect only when a second, different person with the
 * auditor or admin role confirms it (then `compliance.alert.resolved`).
 */
export class ComplianceAlertReviewProposedData {
  @IsString() @IsNotEmpty() alertId!: string;
  @IsIn(['false_positive']) proposal!: string;
  @IsString() @IsNotEmpty() proposedBy!: string;
  @IsString() @IsNotEmpty() @Sealable() note!: string;
  @IsOptional() @IsString() subjectRef?: string;
  @IsOptional() @IsString() sessionId?: string;
  @IsISO8601() proposedAt!: string;
}
