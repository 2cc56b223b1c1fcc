import { Type } from 'class-transformer';
import { Sealable } from '../sealed-fields';
import { IsArray, IsIn, IsInt, IsISO8601, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';

export const SCREENING_OUTCOMES = ['clear', 'review', 'match'] as const;
export type ScreeningOutcome = (typeof SCREENING_OUTCOMES)[number];
export const SCREENING_TRIGGERS = ['approval', 'identity_update', 'adhoc', 'list_change', 'provider_webhook'] as const;

/** One candidate: hit identity is list + entityId (stable across re-screenings). */
export class ScreeningHitData {
  @IsString() list!: string;
  @IsString() entityId!: string;
  /** The listed name or alias that matched best. */
  @IsString() @Sealable() matchedName!: string;
  /** The entry's primary name, when the matched one is an alias. */
  @IsOptional() @IsString() @Sealable() entityName?: string;
  /** Match confidence in [0, 1]. */
  @IsNumber() score!: number;
  /** Name similarity and date-of-birth / country adjustments; identifier = a document number matched. */
  @IsOptional() @IsObject() breakdown?: { name?: number; dob?: number; country?: number; identifier?: boolean | number };
  @IsOptional() @IsArray() datasets?: string[];
  /** Person, Organization, vessel... as the list says. */
  @IsOptional() @IsString() schema?: string;
  /** Provider screenings only: the provider's entity risk (0-100) and its own review status. */
  @IsOptional() @IsNumber() riskScore?: number;
  @IsOptional() @IsString() reviewStatus?: string;
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
  @IsOptional() @IsObject() thresholds?: { review: number; match: number };
  /** The provider's own id for the screening (Didit request_id), for cross-reference. */
  @IsOptional() @IsString() providerReference?: string;
  /** What the provider itself concluded, when the screening is the provider's (e.g. Didit status, hit count). */
  @IsOptional() @IsObject() providerSummary?: Record<string, unknown>;
  @IsISO8601() completedAt!: string;
}

export class AmlScreeningFailedData extends ScreeningBase {
  @IsString() reason!: string;
  @IsInt() attempts!: number;
  @IsISO8601() failedAt!: string;
}

/** `aml.identity.accessed`: who was shown which screenings' input identity unmasked, and when. */
export class AmlIdentityAccessedData {
  @IsString() @IsNotEmpty() subjectRef!: string;
  @IsOptional() @IsString() sessionId?: string;
  @IsArray() @IsString({ each: true }) screeningIds!: string[];
  /** The API key's name. */
  @IsString() @IsNotEmpty() accessedBy!: string;
  @IsString() @IsNotEmpty() role!: string;
  @IsArray() @IsString({ each: true }) fields!: string[];
  @IsISO8601() accessedAt!: string;
  /** Why the caller unmasked it (`?reason=`, 8 to 500 characters): required of analysts, optional for auditors and admins. */
  @IsOptional() @IsString() @IsNotEmpty() reason?: string;
}
