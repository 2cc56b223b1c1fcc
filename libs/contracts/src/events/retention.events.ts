import { IsArray, IsIn, IsInt, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, Max, Min, ValidateIf } from 'class-validator';
import { DATA_CATEGORIES } from '../event-types';
import { Sealable } from '../sealed-fields';

/** Services that hold personal data and must confirm erasure. */
export const DATA_HOLDING_SERVICES = ['webhook-gateway', 'kyc-results', 'aml-trigger', 'audit-log'] as const;

export class ErasureRequestedData {
  @IsString() @IsNotEmpty() requestId!: string;
  @IsString() @IsNotEmpty() subjectRef!: string;
  /**
   * Why the erasure was asked for (free text; it may name the person). Sealed under the subject's
   * data key, which the same erasure destroys: on the topic it can be read by no one. The request
   * itself (GET /erasure-requests/:id in retention) keeps it.
   */
  @IsString() @Sealable() reason!: string;
  @IsArray() @IsString({ each: true }) expectedServices!: string[];
  @IsOptional() @IsArray() @IsString({ each: true }) sessionIds?: string[];
  @IsISO8601() requestedAt!: string;
}

/**
 * What to purge. The retention service names one scope: `sessionId` = that session's data only;
 * `subjectRef` = all of that subject's data in the category (sent only when all of it is due);
 * neither = everything whose clock started before `clockStartedBefore`.
 */
export class PurgeDueData {
  @IsString() @IsNotEmpty() purgeId!: string;
  @IsIn(DATA_CATEGORIES) category!: string;
  @IsOptional() @IsString() subjectRef?: string;
  @IsOptional() @IsString() sessionId?: string;
  /** Data whose retention clock started before this instant is due. */
  @IsISO8601() clockStartedBefore!: string;
  @IsISO8601() dueAt!: string;
}

export class ErasureCompletedData {
  @IsString() @IsNotEmpty() requestId!: string;
  @IsString() @IsNotEmpty() service!: string;
  @IsString() subjectRef!: string;
  @IsObject() counts!: Record<string, number>;
  @IsISO8601() completedAt!: string;
}

export class PurgeCompletedData {
  @IsString() @IsNotEmpty() purgeId!: string;
  @IsString() @IsNotEmpty() service!: string;
  @IsIn(DATA_CATEGORIES) category!: string;
  @IsOptional() @IsString() subjectRef?: string;
  @IsOptional() @IsString() sessionId?: string;
  @IsObject() counts!: Record<string, number>;
  @IsISO8601() completedAt!: string;
}

/** Retention policy bounds (DESIGN §8): 30 days to 10 years, or null for indefinite. */
export const MIN_RETENTION_DAYS = 30;
export const MAX_RETENTION_DAYS = 3650;

/**
 * How an erasure request ended: `finished` (every expected service confirmed), `blocked_by_legal_hold`
 * (not carried out yet; it is carried out once the hold ends, and then ends `finished`), `withdrawn`
 * (a blocked request cancelled before it was carried out).
 */
export const ERASURE_END_STATUSES = ['finished', 'blocked_by_legal_hold', 'withdrawn'] as const;

/** What the provider answered when asked to delete its copy of a session. */
export const PROVIDER_DELETION_OUTCOMES = ['deleted', 'not_found', 'failed'] as const;

export class ErasureFinishedData {
  @IsString() @IsNotEmpty() requestId!: string;
  @IsString() subjectRef!: string;
  @IsIn(ERASURE_END_STATUSES) status!: string;
  @IsOptional() @IsString() legalHoldId?: string;
  @IsArray() services!: Array<{ service: string; completedAt: string; counts: Record<string, number> }>;
  /** Per session, when the provider copy was to be deleted too (RETENTION_PROVIDER_DELETE). */
  @IsOptional() @IsArray() provider?: Array<{ sessionId: string; outcome: string; httpStatus?: number; attempts: number }>;
  /**
   * How many data keys of the subject and its sessions the erasure destroyed (crypto-shredding), when
   * the suite runs with a keyring; absent without one, and on a request that was not carried out.
   */
  @IsOptional() @IsInt() @Min(0) keysDestroyed?: number;
  @IsISO8601() finishedAt!: string;
}

export class PolicyChangedData {
  @IsIn(DATA_CATEGORIES) category!: string;
  /** null = indefinite. */
  @ValidateIf((o) => o.retentionDays !== null) @IsInt() @Min(MIN_RETENTION_DAYS) @Max(MAX_RETENTION_DAYS) retentionDays!: number | null;
  @IsOptional() @ValidateIf((o) => o.previousDays !== null) @IsInt() previousDays?: number | null;
  @IsString() changedBy!: string;
  @IsISO8601() changedAt!: string;
}
