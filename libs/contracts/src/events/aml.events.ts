import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO8601, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';

export const SCREENING_OUTCOMES = ['clear', 'review', 'match'] as const;
export type ScreeningOutcome = (typeof SCREENING_OUTCOMES)[number];
export const SCREENING_TRIGGERS = ['approval', 'identity_update', 'adhoc', 'list_change', 'provider_webhook'] as const;

export class ScreeningHitData {
  @IsString() list!: string;
  @IsString() entityId!: string;
  @IsString() matchedName!: string;
  @IsNumber() score!: number;
  @IsOptional() @IsObject() breakdown?: { name?: number; dob?: number; country?: number; identifier?: number };
  @IsOptional() @IsArray() datasets?: string[];
}

class ScreeningBase {
  @IsString() @IsNotEmpty() screeningId!: string;
  @IsString() @IsNotEmpty() subjectRef!: string;
  @IsOptional() @IsString() sessionId?: string;
  @IsString() provider!: string;
  @IsIn(SCREENING_TRIGGERS) trigger!: string;
}

export class AmlScreeningRequestedData extends ScreeningBase {
  @IsISO8601() requestedAt!: string;
}

export class AmlScreeningCompletedData extends ScreeningBase {
  @IsIn(SCREENING_OUTCOMES) outcome!: ScreeningOutcome;
  @IsNumber() score!: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ScreeningHitData) hits!: ScreeningHitData[];
  @IsArray() listVersions!: Array<{ list: string; contentHash: string; loadedAt: string; entryCount: number }>;
  @IsObject() algorithm!: { name: string; version: string };
  @IsISO8601() completedAt!: string;
}

export class AmlScreeningFailedData extends ScreeningBase {
  @IsString() reason!: string;
  @IsInt() attempts!: number;
  @IsISO8601() failedAt!: string;
}
