import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { BaseServiceConfig, RequiresKeyring } from '@compliance/platform';

const DAY_MS = 86_400_000;

/** Destroys the erased person's data keys: outside development KEYRING_MASTER_KEY is required. */
@RequiresKeyring()
export class RetentionConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'RETENTION_PORT must be an integer port number' })
  @Min(1, { message: 'RETENTION_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'RETENTION_PORT must be between 1 and 65535' })
  RETENTION_PORT = 3003;

  /** How often the sweep looks for due data, expired holds, overdue erasures and pending provider deletions. */
  @Type(() => Number)
  @IsInt({ message: 'RETENTION_SWEEP_INTERVAL_MS must be an integer number of milliseconds' })
  @Min(100, { message: 'RETENTION_SWEEP_INTERVAL_MS must be between 100 and 86400000 (one day)' })
  @Max(DAY_MS, { message: 'RETENTION_SWEEP_INTERVAL_MS must be between 100 and 86400000 (one day)' })
  RETENTION_SWEEP_INTERVAL_MS = 60_000;

  /** Time every data-holding service has to confirm an erasure before an `erasure_overdue` alert. */
  @Type(() => Number)
  @IsInt({ message: 'RETENTION_ERASURE_DEADLINE_MS must be an integer number of milliseconds' })
  @Min(1000, { message: 'RETENTION_ERASURE_DEADLINE_MS must be between 1000 and 2592000000 (30 days)' })
  @Max(30 * DAY_MS, { message: 'RETENTION_ERASURE_DEADLINE_MS must be between 1000 and 2592000000 (30 days)' })
  RETENTION_ERASURE_DEADLINE_MS = DAY_MS;

  /** Time the owners have to confirm a purge before it is sent again and a `purge_overdue` alert is raised. */
  @Type(() => Number)
  @IsInt({ message: 'RETENTION_PURGE_DEADLINE_MS must be an integer number of milliseconds' })
  @Min(1000, { message: 'RETENTION_PURGE_DEADLINE_MS must be between 1000 and 2592000000 (30 days)' })
  @Max(30 * DAY_MS, { message: 'RETENTION_PURGE_DEADLINE_MS must be between 1000 and 2592000000 (30 days)' })
  RETENTION_PURGE_DEADLINE_MS = DAY_MS;

  /** A string, not a boolean: implicit conversion would read "false" as true. */
  @IsIn(['true', 'false'], { message: 'RETENTION_PROVIDER_DELETE must be true or false' })
  RETENTION_PROVIDER_DELETE = 'false';

  @ValidateIf((c: RetentionConfig) => c.RETENTION_PROVIDER_DELETE === 'true')
  @IsString({ message: 'DIDIT_API_KEY is required when RETENTION_PROVIDER_DELETE=true' })
  @IsNotEmpty({ message: 'DIDIT_API_KEY is required when RETENTION_PROVIDER_DELETE=true' })
  DIDIT_API_KEY?: string;

  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'DIDIT_BASE_URL must be an http(s) URL such as https://verification.didit.me' })
  DIDIT_BASE_URL = 'https://verification.didit.me';

  @Type(() => Number)
  @IsInt({ message: 'RETENTION_PROVIDER_TIMEOUT_MS must be an integer number of milliseconds' })
  @Min(100, { message: 'RETENTION_PROVIDER_TIMEOUT_MS must be between 100 and 120000' })
  @Max(120_000, { message: 'RETENTION_PROVIDER_TIMEOUT_MS must be between 100 and 120000' })
  RETENTION_PROVIDER_TIMEOUT_MS = 10_000;

  @Type(() => Number)
  @IsInt({ message: 'RETENTION_PROVIDER_MAX_ATTEMPTS must be an integer' })
  @Min(1, { message: 'RETENTION_PROVIDER_MAX_ATTEMPTS must be between 1 and 10' })
  @Max(10, { message: 'RETENTION_PROVIDER_MAX_ATTEMPTS must be between 1 and 10' })
  RETENTION_PROVIDER_MAX_ATTEMPTS = 3;

  /** Wait before the first retry of a provider call; doubles on each further retry. */
  @Type(() => Number)
  @IsInt({ message: 'RETENTION_PROVIDER_RETRY_DELAY_MS must be an integer number of milliseconds' })
  @Min(0, { message: 'RETENTION_PROVIDER_RETRY_DELAY_MS must be between 0 and 60000' })
  @Max(60_000, { message: 'RETENTION_PROVIDER_RETRY_DELAY_MS must be between 0 and 60000' })
  RETENTION_PROVIDER_RETRY_DELAY_MS = 1000;

  get providerDeletionEnabled(): boolean {
    return this.RETENTION_PROVIDER_DELETE === 'true';
  }
}
