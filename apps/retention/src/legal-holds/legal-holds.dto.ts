import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class PlaceLegalHoldDto {
  @ApiProperty({ description: "the customer's reference for the person (Didit vendor_data)" })
  @IsString({ message: 'subjectRef must be a string' })
  @IsNotEmpty({ message: 'subjectRef is required' })
  @MaxLength(200, { message: 'subjectRef must be at most 200 characters' })
  subjectRef!: string;

  @ApiProperty({ description: 'why the data must be kept (case number, authority)' })
  @IsString({ message: 'reason must be a string' })
  @IsNotEmpty({ message: 'reason is required' })
  @MaxLength(2000, { message: 'reason must be at most 2000 characters' })
  reason!: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant the hold ends by itself; absent = until lifted' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z' })
  until?: string;
}

export interface LegalHoldView {
  id: string;
  subjectRef: string;
  reason: string;
  until: string | null;
  placedBy: string;
  placedAt: string;
  liftedAt: string | null;
  liftedBy: string | null;
  active: boolean;
}
