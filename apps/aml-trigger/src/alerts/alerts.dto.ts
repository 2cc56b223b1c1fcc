import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, ValidateBy } from 'class-validator';
import { AML_ALERT_KINDS, ALERT_STATUSES, type AlertStatus, type AmlAlertKind } from './alert.repository';

export class ReviewAlertDto {
  @ApiProperty({
    enum: ['false_positive', 'confirmed'],
    description:
      'false_positive suppresses the alert’s entities for this subject from now on. On an aml_match alert it needs a note and is first a proposal; it takes effect when a second, different person with the auditor or admin role sends false_positive too (or anyone confirms the match)',
  })
  @IsIn(['false_positive', 'confirmed'], { message: 'decision must be false_positive or confirmed' })
  decision!: 'false_positive' | 'confirmed';

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export interface AlertView {
  id: string;
  kind: string;
  severity: string;
  status: 'open' | 'false_positive_proposed' | 'false_positive' | 'confirmed';
  subjectRef: string;
  sessionId?: string;
  screeningId?: string;
  summary: string;
  /** `list/entityId` of the hits this alert is about. */
  hitKeys: string[];
  details: Record<string, unknown>;
  raisedAt: string;
  review?: { by: string; at: string; note?: string; secondReviewer?: string };
  /** A clearance proposed and waiting for a second, different reviewer (auditor or admin). */
  proposal?: { decision: 'false_positive'; by: string; at: string; note: string };
}

/** `status` of the queue: one status, `closed` (false_positive or confirmed) or `all`. */
export const ALERT_QUEUE_STATUSES = ['open', 'false_positive_proposed', 'closed', 'all'] as const;
export type AlertQueueStatus = (typeof ALERT_QUEUE_STATUSES)[number];
export const ALERT_QUEUE_LIMIT = { min: 1, max: 200, default: 50 } as const;

/** `GET /alerts?status=&kind=&limit=&cursor=` */
export class AlertQueueQuery {
  @ApiPropertyOptional({ enum: ALERT_QUEUE_STATUSES, default: 'open', description: '`closed` is false_positive or confirmed; `all` is every status' })
  @IsOptional()
  @IsIn(ALERT_QUEUE_STATUSES, { message: `status must be one of ${ALERT_QUEUE_STATUSES.join(', ')}` })
  status: AlertQueueStatus = 'open';

  @ApiPropertyOptional({ enum: AML_ALERT_KINDS, description: 'only alerts of this kind (default: every kind)' })
  @IsOptional()
  @IsIn(AML_ALERT_KINDS, { message: `kind must be one of ${AML_ALERT_KINDS.join(', ')}` })
  kind?: AmlAlertKind;

  @ApiPropertyOptional({ type: 'integer', minimum: ALERT_QUEUE_LIMIT.min, maximum: ALERT_QUEUE_LIMIT.max, default: ALERT_QUEUE_LIMIT.default })
  @IsOptional()
  @Type(() => Number)
  @ValidateBy({
    name: 'isQueueLimit',
    validator: {
      validate: (v: unknown) => Number.isInteger(v) && (v as number) >= ALERT_QUEUE_LIMIT.min && (v as number) <= ALERT_QUEUE_LIMIT.max,
      defaultMessage: () => `limit must be an integer from ${ALERT_QUEUE_LIMIT.min} to ${ALERT_QUEUE_LIMIT.max}`,
    },
  })
  limit: number = ALERT_QUEUE_LIMIT.default;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (opaque); pass the same status and kind with it' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}

/** One alert in the queue: what a list shows, never more than `GET /alerts/:id` shows. */
export class AlertSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: AML_ALERT_KINDS }) kind!: AmlAlertKind;
  @ApiProperty({ enum: ['high', 'medium'] }) severity!: string;
  @ApiProperty({ enum: ALERT_STATUSES }) status!: AlertStatus;
  @ApiProperty() subjectRef!: string;
  @ApiProperty({ type: String, nullable: true }) sessionId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) screeningId!: string | null;
  @ApiProperty({ description: 'as GET /alerts/:id shows it' }) summary!: string;
  @ApiProperty({ format: 'date-time' }) raisedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'who reviewed it (for a cleared sanctions match, the proposer, as review.by of GET /alerts/:id); null while undecided' })
  reviewedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) reviewedAt!: string | null;
}

export class AlertQueuePage {
  @ApiProperty({ type: [AlertSummary], description: 'newest first (raisedAt, then id, descending)' }) items!: AlertSummary[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page; null on the last page' }) nextCursor!: string | null;
  @ApiProperty({ description: 'open alerts by kind, every kind present', example: { aml_match: 3, aml_review: 12, aml_screening_failed: 0 } })
  counts!: Record<AmlAlertKind, number>;
  @ApiProperty({ description: 'alerts matching status and kind, on every page' }) total!: number;
}
