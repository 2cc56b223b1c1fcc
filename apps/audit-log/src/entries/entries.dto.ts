import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { EntryHeader } from '../chain/chain-hash';

/** Filters shared by the entry list and the export. */
export class EntryFilterDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) subjectRef?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) sessionId?: string;
  @ApiPropertyOptional({ description: 'exact type, or a prefix ending in ".*" (kyc.verification.*)' })
  @IsOptional()
  @Matches(/^[a-z0-9_.]+(\.\*)?$/, { message: 'type must be an event type or a prefix ending in .*' })
  type?: string;
  @ApiPropertyOptional({ description: 'occurred at or after (ISO-8601)' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'occurred before (ISO-8601)' }) @IsOptional() @IsISO8601() to?: string;
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
