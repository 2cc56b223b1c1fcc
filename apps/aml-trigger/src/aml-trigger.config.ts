import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, Matches, Max, Min, Validate, ValidateIf, ValidatorConstraint, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';
import { BaseServiceConfig, IsPiiKeys, RequiresKeyring } from '@compliance/platform';
import { DEFAULT_THRESHOLDS } from '@compliance/screening';

export const AML_PROVIDERS = ['builtin', 'didit'] as const;
export type AmlProviderName = (typeof AML_PROVIDERS)[number];

/** The sample watchlist shipped in the repo, found from wherever the code runs (src via tsx or dist). */
export function sampleListsDir(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'data', 'watchlists', 'sample');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.resolve('data', 'watchlists', 'sample');
  }
}

@ValidatorConstraint({ name: 'reviewBelowMatch' })
class ReviewNotAboveMatch implements ValidatorConstraintInterface {
  validate(review: number, args: ValidationArguments): boolean {
    return review <= (args.object as AmlTriggerConfig).AML_MATCH_THRESHOLD;
  }
  defaultMessage(): string {
    return 'AML_REVIEW_THRESHOLD must not be above AML_MATCH_THRESHOLD';
  }
}

@ValidatorConstraint({ name: 'existingFolder' })
class ExistingFolder implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && existsSync(value) && statSync(value).isDirectory();
  }
  defaultMessage(): string {
    return 'AML_LISTS_DIR must be an existing folder holding targets.simple.csv and/or sdn.csv (+ alt.csv)';
  }
}

const apply = (decorators: PropertyDecorator[]): PropertyDecorator => (target, key) => decorators.forEach((d) => d(target, key));
const threshold = (name: string) =>
  apply([
    Type(() => Number),
    IsNumber({}, { message: `${name} must be a number between 0 and 1` }),
    Min(0.01, { message: `${name} must be between 0.01 and 1` }),
    Max(1, { message: `${name} must be between 0.01 and 1` }),
  ]);
const intBetween = (name: string, min: number, max: number) =>
  apply([
    Type(() => Number),
    IsInt({ message: `${name} must be an integer` }),
    Min(min, { message: `${name} must be between ${min} and ${max}` }),
    Max(max, { message: `${name} must be between ${min} and ${max}` }),
  ]);

/** Seals stored identities, screenings' hits and alerts under the keyring: outside development KEYRING_MASTER_KEY is required. */
@RequiresKeyring()
export class AmlTriggerConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'AML_TRIGGER_PORT must be an integer port number' })
  @Min(1, { message: 'AML_TRIGGER_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'AML_TRIGGER_PORT must be between 1 and 65535' })
  AML_TRIGGER_PORT = 3002;

  @ValidateIf((c: AmlTriggerConfig) => c.AML_PROVIDER === 'builtin')
  @Validate(ExistingFolder)
  AML_LISTS_DIR = sampleListsDir();

  @IsIn(AML_PROVIDERS, { message: `AML_PROVIDER must be one of ${AML_PROVIDERS.join(', ')}` })
  AML_PROVIDER: AmlProviderName = 'builtin';

  @ValidateIf((c: AmlTriggerConfig) => c.AML_PROVIDER === 'didit')
  @Matches(/^\S+$/, { message: 'DIDIT_API_KEY is required when AML_PROVIDER=didit' })
  DIDIT_API_KEY?: string;

  @ValidateIf((c: AmlTriggerConfig) => c.AML_PROVIDER === 'didit')
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'DIDIT_BASE_URL is required when AML_PROVIDER=didit: an http(s) URL such as https://verification.didit.me' })
  DIDIT_BASE_URL?: string;

  /** Per attempt; Didit answers plain screenings in a few seconds. */
  @intBetween('DIDIT_TIMEOUT_MS', 100, 120_000)
  DIDIT_TIMEOUT_MS = 15_000;

  @intBetween('DIDIT_MAX_ATTEMPTS', 1, 10)
  DIDIT_MAX_ATTEMPTS = 4;

  /** First retry delay; doubles per attempt (with jitter). */
  @intBetween('DIDIT_RETRY_BASE_MS', 10, 60_000)
  DIDIT_RETRY_BASE_MS = 500;

  @IsPiiKeys()
  PII_ENCRYPTION_KEY!: string;

  @threshold('AML_REVIEW_THRESHOLD')
  @Validate(ReviewNotAboveMatch)
  AML_REVIEW_THRESHOLD = DEFAULT_THRESHOLDS.review;

  @threshold('AML_MATCH_THRESHOLD')
  AML_MATCH_THRESHOLD = DEFAULT_THRESHOLDS.match;

  /** How often list files are checked for changes; 0 turns polling off (POST /lists/reload still works). */
  @intBetween('AML_LIST_POLL_MS', 0, 86_400_000)
  AML_LIST_POLL_MS = 30_000;
}
