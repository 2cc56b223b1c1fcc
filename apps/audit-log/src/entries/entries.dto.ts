import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import type { EntryHeader } from '../chain/chain-hash';

/**
 * The ISO-8601 forms Postgres reads as a timestamp: a calendar date, optionally with a time and a
 * zone. Week dates (`2009-W53-7`) and ordinal dates (`2009-365`) pass @IsISO8601 but not Postgres.
 */
const CALENDAR_TIME_FORM = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?)?$/;

/** A calendar date-time that exists (no 31 February): what Postgres accepts without an error. */
function IsCalendarTime(message: string): PropertyDecorator {
  return ValidateBy({
    name: 'isCalendarTime',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || !CALENDAR_TIME_FORM.test(value)) return false;
        const day = value.slice(0, 10);
        const parsed = new Date(`${day}T00:00:00Z`);
        return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
      },
      defaultMessage: () => message,
    },
  });
}

/** Filters shared by the entry list and the export. */
export class EntryFilterDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) subjectRef?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) sessionId?: string;
  @ApiPropertyOptional({ description: 'exact type, or a prefix ending in ".*" (kyc.verification.*)' })
  @IsOptional()
  @Matches(/^[a-z0-9_.]+(\.\*)?$/, { message: 'type must be an event type or a prefix ending in .*' })
  type?: string;
  @ApiPropertyOptional({ description: 'occurred at or after (ISO-8601 calendar date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z)' })
  @IsOptional()
  @IsCalendarTime('from must be an ISO-8601 calendar date or date-time (YYYY-MM-DD[THH:MM[:SS[.fff]][Z|±HH:MM]])')
  from?: string;
  @ApiPropertyOptional({ description: 'occurred before (ISO-8601 calendar date or date-time)' })
  @IsOptional()
  @IsCalendarTime('to must be an ISO-8601 calendar date or date-time (YYYY-MM-DD[THH:MM[:SS[.fff]][Z|±HH:MM]])')
  to?: string;
}

export class EntriesQueryDto extends EntryFilterDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'cursor is not a cursor this service issued' })
  cursor?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ExportQueryDto extends EntryFilterDto {
  @ApiPropertyOptional({ enum: ['jsonl', 'csv'], default: 'jsonl' })
  @IsOptional()
  @IsIn(['jsonl', 'csv'], { message: 'format must be jsonl or csv' })
  format?: 'jsonl' | 'csv';
}

/** One entry as the API shows it; `data` is null once redacted. */
export interface AuditEntryView extends EntryHeader {
  data: Record<string, unknown> | null;
  redacted: boolean;
  redactedAt: string | null;
  dataHash: string;
  prevHash: string;
  hash: string;
}
