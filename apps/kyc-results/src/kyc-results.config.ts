import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { BaseServiceConfig, IsPiiKeys } from '@compliance/platform';

export class KycResultsConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'KYC_RESULTS_PORT must be an integer port number' })
  @Min(1, { message: 'KYC_RESULTS_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'KYC_RESULTS_PORT must be between 1 and 65535' })
  KYC_RESULTS_PORT = 3001;

  /** AES-256-GCM key for identity attributes at rest. Required: a generated key would lose the data at the next start. */
  @IsPiiKeys()
  PII_ENCRYPTION_KEY!: string;
}
