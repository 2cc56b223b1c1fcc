import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { BaseServiceConfig } from '@compliance/platform';

/** A base64 text that decodes to exactly 32 bytes (an AES-256 key). */
function IsBase64Key32(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isBase64Key32',
      validator: {
        // A missing value is reported once, by the "required" rule.
        validate: (value: unknown) =>
          value === undefined || (typeof value === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(value.trim()) && Buffer.from(value.trim(), 'base64').length === 32),
      },
    },
    options,
  );
}

export class KycResultsConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'KYC_RESULTS_PORT must be an integer port number' })
  @Min(1, { message: 'KYC_RESULTS_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'KYC_RESULTS_PORT must be between 1 and 65535' })
  KYC_RESULTS_PORT = 3001;

  /** AES-256-GCM key for identity attributes at rest. Required: a generated key would lose the data at the next start. */
  @IsString({ message: 'PII_ENCRYPTION_KEY is required (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)' })
  @IsBase64Key32({ message: 'PII_ENCRYPTION_KEY must be the base64 encoding of exactly 32 bytes' })
  PII_ENCRYPTION_KEY!: string;
}
