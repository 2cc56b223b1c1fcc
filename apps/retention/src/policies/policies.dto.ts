import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from '@compliance/contracts';

const RANGE = `retentionDays must be a whole number of days from ${MIN_RETENTION_DAYS} (30 days) to ${MAX_RETENTION_DAYS} (10 years), or null for indefinite`;

export class UpdatePolicyDto {
  @ApiProperty({ type: Number, nullable: true, minimum: MIN_RETENTION_DAYS, maximum: MAX_RETENTION_DAYS, example: 1825, description: 'null = keep indefinitely' })
  @ValidateIf((o: UpdatePolicyDto) => o.retentionDays !== null)
  @IsInt({ message: RANGE })
  @Min(MIN_RETENTION_DAYS, { message: RANGE })
  @Max(MAX_RETENTION_DAYS, { message: RANGE })
  retentionDays!: number | null;
}

export interface PolicyView {
  category: string;
  /** null = indefinite. */
  retentionDays: number | null;
  indefinite: boolean;
  updatedAt: string;
  updatedBy: string;
}
