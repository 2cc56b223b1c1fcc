import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min, ValidateIf, type ValidationArguments } from 'class-validator';
import { BaseServiceConfig, IsPiiKeys, RequiresKeyring } from '@compliance/platform';

/** Sumsub signs every API request with an app token and its secret key: one without the other is a mistake, not a choice. */
const sumsubConfigured = (c: KycResultsConfig): boolean => c.SUMSUB_APP_TOKEN !== undefined || c.SUMSUB_SECRET_KEY !== undefined;

/** Names what is missing (the other variable is set) or what is wrong, never the value. */
const sumsubCredentialMessage =
  (variable: string, other: string) =>
  ({ value }: ValidationArguments): string =>
    value === undefined
      ? `${variable} is required with ${other}: set both (Sumsub's API is read) or neither (Sumsub webhooks are recorded status only)`
      : `${variable} must be at least 16 characters without spaces`;

/** Veriff's API key and shared secret sign every request together: one without the other is a mistake. */
const veriffConfigured = (c: KycResultsConfig): boolean => c.VERIFF_API_KEY !== undefined || c.VERIFF_SHARED_SECRET !== undefined;

/** One or more values (rotation, as the gateway reads them); the first is used for the API. */
const SECRET_LIST = /^[^,\s]{16,}(,[^,\s]{16,})*$/;
const veriffCredentialMessage =
  (variable: string, other: string) =>
  ({ value }: ValidationArguments): string =>
    value === undefined
      ? `${variable} is required with ${other}: set both (Veriff sessions are reconciled) or neither`
      : `${variable} must be one or more values of at least 16 characters without spaces, separated by commas`;

/** The first of a comma-separated list (the current secret during a rotation). */
export const firstOf = (value: string): string => value.split(',')[0].trim();

/** Seals identities (stored and in its outbox) under the keyring: outside development KEYRING_MASTER_KEY is required. */
@RequiresKeyring()
export class KycResultsConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'KYC_RESULTS_PORT must be an integer port number' })
  @Min(1, { message: 'KYC_RESULTS_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'KYC_RESULTS_PORT must be between 1 and 65535' })
  KYC_RESULTS_PORT = 3001;

  /** AES-256-GCM key for identity attributes at rest. Required: a generated key would lose the data at the next start. */
  @IsPiiKeys()
  PII_ENCRYPTION_KEY!: string;

  /**
   * Didit's API key (`x-api-key`): with it, sessions that stay in a non-final status longer than
   * RECONCILE_AFTER_SEC, and sessions Didit lists that no webhook announced, are checked against
   * Didit's decision API. Without it Didit sessions are not reconciled (the other providers are, each
   * with its own API credentials).
   */
  @IsOptional()
  @Matches(/^\S{16,}$/, { message: 'DIDIT_API_KEY must be at least 16 characters without spaces' })
  DIDIT_API_KEY?: string;

  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'DIDIT_BASE_URL must be an http(s) URL such as https://verification.didit.me' })
  DIDIT_BASE_URL = 'https://verification.didit.me';

  /** How long a session may sit in a non-final status (since its last report) before its provider's API is asked. */
  @Type(() => Number)
  @IsInt({ message: 'RECONCILE_AFTER_SEC must be an integer' })
  @Min(1, { message: 'RECONCILE_AFTER_SEC must be between 1 and 2592000' })
  @Max(2_592_000, { message: 'RECONCILE_AFTER_SEC must be between 1 and 2592000' })
  RECONCILE_AFTER_SEC = 3600;

  /** How often the reconciler looks for sessions to check. */
  @Type(() => Number)
  @IsInt({ message: 'RECONCILE_INTERVAL_MS must be an integer' })
  @Min(100, { message: 'RECONCILE_INTERVAL_MS must be between 100 and 86400000' })
  @Max(86_400_000, { message: 'RECONCILE_INTERVAL_MS must be between 100 and 86400000' })
  RECONCILE_INTERVAL_MS = 60_000;

  /**
   * The reconciler's calls to each provider's API per minute, at most, counted across all replicas
   * (Didit allows 100 decision reads a minute).
   */
  @Type(() => Number)
  @IsInt({ message: 'RECONCILE_MAX_REQUESTS_PER_MIN must be an integer' })
  @Min(1, { message: 'RECONCILE_MAX_REQUESTS_PER_MIN must be between 1 and 6000' })
  @Max(6000, { message: 'RECONCILE_MAX_REQUESTS_PER_MIN must be between 1 and 6000' })
  RECONCILE_MAX_REQUESTS_PER_MIN = 90;

  /**
   * Onfido's API token (`Authorization: Token token=…`). With it, Onfido webhooks are completed from
   * the API (the check's result, the workflow run, the applicant: the person's identity); without it
   * they are recorded with their status only, no identity.
   */
  @IsOptional()
  @Matches(/^\S{16,}$/, { message: 'ONFIDO_API_TOKEN must be at least 16 characters without spaces' })
  ONFIDO_API_TOKEN?: string;

  /** Onfido's regional API (EU by default; https://api.us.onfido.com, https://api.ca.onfido.com). */
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'ONFIDO_BASE_URL must be an http(s) URL such as https://api.eu.onfido.com' })
  ONFIDO_BASE_URL = 'https://api.eu.onfido.com';

  /**
   * Sumsub's app token (`X-App-Token`) and its secret key (signs each request, `X-App-Access-Sig`):
   * both or neither. With them, `applicantReviewed` webhooks are completed from the API (the
   * applicant: the person's identity, which screening needs); without them Sumsub webhooks are
   * recorded with their status only, no identity.
   */
  @ValidateIf(sumsubConfigured)
  @Matches(/^\S{16,}$/, { message: sumsubCredentialMessage('SUMSUB_APP_TOKEN', 'SUMSUB_SECRET_KEY') })
  SUMSUB_APP_TOKEN?: string;

  @ValidateIf(sumsubConfigured)
  @Matches(/^\S{16,}$/, { message: sumsubCredentialMessage('SUMSUB_SECRET_KEY', 'SUMSUB_APP_TOKEN') })
  SUMSUB_SECRET_KEY?: string;

  /** Sumsub's API (production and sandbox share it; the app token decides). */
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'SUMSUB_BASE_URL must be an http(s) URL such as https://api.sumsub.com' })
  SUMSUB_BASE_URL = 'https://api.sumsub.com';

  /**
   * Veriff's API key (`X-AUTH-CLIENT`) and shared secret key (`X-HMAC-SIGNATURE`): both or neither.
   * With them, Veriff sessions that stay in a non-final status are checked against Veriff's decision
   * API. Comma-separated as for the gateway (rotation): the first is used.
   */
  @ValidateIf(veriffConfigured)
  @Matches(SECRET_LIST, { message: veriffCredentialMessage('VERIFF_API_KEY', 'VERIFF_SHARED_SECRET') })
  VERIFF_API_KEY?: string;

  @ValidateIf(veriffConfigured)
  @Matches(SECRET_LIST, { message: veriffCredentialMessage('VERIFF_SHARED_SECRET', 'VERIFF_API_KEY') })
  VERIFF_SHARED_SECRET?: string;

  /** Veriff's API (the integration's base URL from Veriff's Customer Portal). */
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'VERIFF_BASE_URL must be an http(s) URL such as https://stationapi.veriff.com' })
  VERIFF_BASE_URL = 'https://stationapi.veriff.com';

  /** Persona's API key (`Authorization: Bearer …`): with it, Persona inquiries that stay in a non-final status are checked against Persona's API. */
  @IsOptional()
  @Matches(/^\S{16,}$/, { message: 'PERSONA_API_KEY must be at least 16 characters without spaces' })
  PERSONA_API_KEY?: string;

  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'PERSONA_BASE_URL must be an http(s) URL such as https://api.withpersona.com' })
  PERSONA_BASE_URL = 'https://api.withpersona.com';
}
