import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { UnmaskReason, type IdentityVisibility } from '@compliance/platform';

/** An analyst's ad hoc screening: who, and (optionally) which verification it belongs to. */
export class CreateScreeningDto {
  @ApiProperty({ description: 'The customer’s reference for the person (vendor_data)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  subjectRef!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  sessionId?: string;

  @ApiProperty({ example: 'Jane Q. Example' })
  @IsString()
  @IsNotEmpty({ message: 'fullName must not be empty' })
  @MaxLength(300)
  fullName!: string;

  @ApiPropertyOptional({ example: '1980-01-31', description: 'ISO date, possibly partial (1980, 1980-01)' })
  @IsOptional()
  @Matches(/^\d{4}(-\d{2}(-\d{2})?)?$/, { message: 'dateOfBirth must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD' })
  dateOfBirth?: string;

  @ApiPropertyOptional({ example: 'GB', description: 'ISO 3166 country code or English name' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  nationality?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(60)
  documentNumber?: string;
}

/** `?identity=masked|full&reason=…` on the screening reads. */
export class ScreeningIdentityQuery {
  @ApiPropertyOptional({
    enum: ['masked', 'full'],
    description:
      'default: full for auditor and admin keys (recorded as aml.identity.accessed), masked for analyst keys; `full` with an analyst key needs a `reason` (403 REASON_REQUIRED without one)',
  })
  @IsOptional()
  @IsIn(['masked', 'full'], { message: 'identity must be full or masked' })
  identity?: IdentityVisibility;

  @UnmaskReason()
  reason?: string;
}

export interface ScreeningView {
  id: string;
  subjectRef: string;
  sessionId?: string;
  provider: string;
  trigger: string;
  status: string;
  outcome?: string;
  score?: number;
  hits: unknown[];
  listVersions: unknown[];
  algorithm?: unknown;
  thresholds?: unknown;
  providerReference?: string;
  providerSummary?: unknown;
  attempts: number;
  failureReason?: string;
  requestedAt: string;
  completedAt?: string;
  /** The identity screened, masked or in full per the caller's role (`inputVisibility`); null once erased. */
  input: Record<string, string | undefined> | null;
  inputVisibility: IdentityVisibility;
  erasedAt?: string;
  alertIds: string[];
}
