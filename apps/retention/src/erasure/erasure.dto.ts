import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class CreateErasureRequestDto {
  @ApiProperty({ description: "the customer's reference for the person (Didit vendor_data)" })
  @IsString({ message: 'subjectRef must be a string' })
  @IsNotEmpty({ message: 'subjectRef is required' })
  @MaxLength(200, { message: 'subjectRef must be at most 200 characters' })
  subjectRef!: string;

  @ApiProperty({ description: 'why (e.g. "GDPR art. 17 request #123"); sent to every data-holding service' })
  @IsString({ message: 'reason must be a string' })
  @IsNotEmpty({ message: 'reason is required' })
  @MaxLength(2000, { message: 'reason must be at most 2000 characters' })
  reason!: string;
}

export const OPEN_STATUSES = ['blocked_by_legal_hold', 'in_progress'] as const;
export type ErasureStatus = (typeof OPEN_STATUSES)[number] | 'finished' | 'withdrawn';

/** What POST /erasure-requests answers: the request's id, and whether it was already open. */
export interface ErasureReceipt {
  id: string;
  status: ErasureStatus;
  repeated: boolean;
  legalHoldId?: string;
}
