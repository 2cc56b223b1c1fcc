import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

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
