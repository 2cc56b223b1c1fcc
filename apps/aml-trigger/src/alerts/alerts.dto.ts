import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export class ReviewAlertDto {
  @ApiProperty({ enum: ['false_positive', 'confirmed'], description: 'false_positive suppresses the alert’s entities for this subject from now on' })
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
  status: 'open' | 'false_positive' | 'confirmed';
  subjectRef: string;
  sessionId?: string;
  screeningId?: string;
  summary: string;
  /** `list/entityId` of the hits this alert is about. */
  hitKeys: string[];
  details: Record<string, unknown>;
  raisedAt: string;
  review?: { by: string; at: string; note?: string };
}
