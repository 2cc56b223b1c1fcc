import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min, Validate, ValidateIf, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { BaseServiceConfig, RequiresKeyring } from '@compliance/platform';
import { SIGNATURE_SCHEMES } from '@compliance/contracts';
import { isStandardWebhookSecret } from './signatures/standard-webhooks.scheme';

export type SchemeName = (typeof SIGNATURE_SCHEMES)[number];

const SOURCE_MAP = new RegExp(`^[a-z0-9][a-z0-9_-]{0,62}:(${SIGNATURE_SCHEMES.join('|')})(,[a-z0-9][a-z0-9_-]{0,62}:(${SIGNATURE_SCHEMES.join('|')}))*$`);
// Provider secrets are long random strings; a short one is a typo or a placeholder, not a secret.
const SECRET_LIST = /^[^,\s]{16,}(,[^,\s]{16,})*$/;
const secretListMessage = (variable: string, requiredBy: string) =>
  `${variable} is required by ${requiredBy}: one or more secrets of at least 16 characters, separated by commas`;

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function usesScheme(config: WebhookGatewayConfig, scheme: SchemeName): boolean {
  return list(config.WEBHOOK_SOURCES).some((pair) => pair.split(':')[1] === scheme);
}

/** A provider's source is enabled by its secret: `<provider>:<provider>`, unless WEBHOOK_SOURCES names the source itself. */
const ENABLED_BY_SECRET: ReadonlyArray<[SchemeName, (c: WebhookGatewayConfig) => string | undefined]> = [
  ['sumsub', (c) => c.SUMSUB_WEBHOOK_SECRET],
  ['onfido', (c) => c.ONFIDO_WEBHOOK_TOKEN],
  ['veriff', (c) => c.VERIFF_SHARED_SECRET],
  ['persona', (c) => c.PERSONA_WEBHOOK_SECRET],
];

/** Veriff authenticates with both its shared secret and the API key: either one set, or a veriff source, needs both. */
const veriffConfigured = (c: WebhookGatewayConfig): boolean =>
  usesScheme(c, 'veriff') || c.VERIFF_SHARED_SECRET !== undefined || c.VERIFF_API_KEY !== undefined;

@ValidatorConstraint({ name: 'standardWebhookSecrets' })
class StandardSecretList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    const secrets = list(typeof value === 'string' ? value : '');
    return secrets.length > 0 && secrets.every(isStandardWebhookSecret);
  }
  defaultMessage(): string {
    return 'STANDARD_WEBHOOK_SECRET is required by a standard source: whsec_<base64 of 24 to 64 bytes> secrets separated by commas';
  }
}

/** Seals every verified webhook's payload under the keyring: outside development KEYRING_MASTER_KEY is required. */
@RequiresKeyring()
export class WebhookGatewayConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'GATEWAY_PORT must be an integer port number' })
  @Min(1, { message: 'GATEWAY_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'GATEWAY_PORT must be between 1 and 65535' })
  GATEWAY_PORT = 3000;

  /** `source:scheme` pairs: which signature scheme authenticates `POST /webhooks/<source>`. */
  @Matches(SOURCE_MAP, { message: `WEBHOOK_SOURCES must be source:scheme pairs separated by commas (scheme one of ${SIGNATURE_SCHEMES.join(', ')})` })
  WEBHOOK_SOURCES = 'didit:didit,standard:standard';

  /** Comma-separated: during a rotation the old and the new secret both verify. */
  @ValidateIf((c: WebhookGatewayConfig) => usesScheme(c, 'didit') || c.DIDIT_WEBHOOK_SECRET !== undefined)
  @Matches(SECRET_LIST, {
    message: 'DIDIT_WEBHOOK_SECRET is required by a didit source: one or more secrets of at least 16 characters, separated by commas',
  })
  DIDIT_WEBHOOK_SECRET?: string;

  /**
   * The oldest Didit event accepted, by its signed `timestamp` (seconds): an older body is a replay,
   * even with a fresh `X-Timestamp`, which the signature does not cover.
   */
  @Type(() => Number)
  @IsInt({ message: 'DIDIT_MAX_EVENT_AGE_SEC must be an integer' })
  @Min(300, { message: 'DIDIT_MAX_EVENT_AGE_SEC must be between 300 and 2592000' })
  @Max(2_592_000, { message: 'DIDIT_MAX_EVENT_AGE_SEC must be between 300 and 2592000' })
  DIDIT_MAX_EVENT_AGE_SEC = 86_400;

  /** `whsec_<base64>` secrets, comma-separated (rotation). */
  @ValidateIf((c: WebhookGatewayConfig) => usesScheme(c, 'standard') || c.STANDARD_WEBHOOK_SECRET !== undefined)
  @Validate(StandardSecretList)
  STANDARD_WEBHOOK_SECRET?: string;

  /** Sumsub's secret key (`X-Payload-Digest`); setting it enables `POST /webhooks/sumsub`. Comma-separated (rotation). */
  @ValidateIf((c: WebhookGatewayConfig) => usesScheme(c, 'sumsub') || c.SUMSUB_WEBHOOK_SECRET !== undefined)
  @Matches(SECRET_LIST, { message: secretListMessage('SUMSUB_WEBHOOK_SECRET', 'a sumsub source') })
  SUMSUB_WEBHOOK_SECRET?: string;

  /** Onfido's webhook token (`X-SHA2-Signature`); setting it enables `POST /webhooks/onfido`. Comma-separated (rotation). */
  @ValidateIf((c: WebhookGatewayConfig) => usesScheme(c, 'onfido') || c.ONFIDO_WEBHOOK_TOKEN !== undefined)
  @Matches(SECRET_LIST, { message: secretListMessage('ONFIDO_WEBHOOK_TOKEN', 'an onfido source') })
  ONFIDO_WEBHOOK_TOKEN?: string;

  /** Veriff's shared secret key (`X-HMAC-SIGNATURE`); with VERIFF_API_KEY it enables `POST /webhooks/veriff`. Comma-separated (rotation). */
  @ValidateIf(veriffConfigured)
  @Matches(SECRET_LIST, { message: secretListMessage('VERIFF_SHARED_SECRET', 'a veriff source and by VERIFF_API_KEY') })
  VERIFF_SHARED_SECRET?: string;

  /** Veriff's API key, which Veriff sends back in `X-AUTH-CLIENT`. Comma-separated (rotation). */
  @ValidateIf(veriffConfigured)
  @Matches(SECRET_LIST, { message: secretListMessage('VERIFF_API_KEY', 'a veriff source and by VERIFF_SHARED_SECRET') })
  VERIFF_API_KEY?: string;

  /** Persona's webhook secret (`Persona-Signature`); setting it enables `POST /webhooks/persona`. Comma-separated (rotation). */
  @ValidateIf((c: WebhookGatewayConfig) => usesScheme(c, 'persona') || c.PERSONA_WEBHOOK_SECRET !== undefined)
  @Matches(SECRET_LIST, { message: secretListMessage('PERSONA_WEBHOOK_SECRET', 'a persona source') })
  PERSONA_WEBHOOK_SECRET?: string;

  /**
   * The oldest Sumsub, Onfido or Veriff event accepted, by the event time its signed body carries
   * (seconds): their signatures cover no timestamp, so an older body is a replay.
   */
  @Type(() => Number)
  @IsInt({ message: 'WEBHOOK_MAX_EVENT_AGE_SEC must be an integer' })
  @Min(300, { message: 'WEBHOOK_MAX_EVENT_AGE_SEC must be between 300 and 2592000' })
  @Max(2_592_000, { message: 'WEBHOOK_MAX_EVENT_AGE_SEC must be between 300 and 2592000' })
  WEBHOOK_MAX_EVENT_AGE_SEC = 86_400;

  /**
   * Bodies are counted while they stream in; past this many bytes the request is cut off with 413.
   * At most 900 KiB: a webhook must fit in one Kafka record under the broker's default 1 MiB limit,
   * or a spooled one could never be relayed.
   */
  @Type(() => Number)
  @IsInt({ message: 'WEBHOOK_MAX_BODY_BYTES must be an integer' })
  @Min(1024, { message: 'WEBHOOK_MAX_BODY_BYTES must be between 1024 and 921600' })
  @Max(900 * 1024, { message: 'WEBHOOK_MAX_BODY_BYTES must be between 1024 and 921600' })
  WEBHOOK_MAX_BODY_BYTES = 262144;

  /** How long a webhook waits for Kafka before it is spooled; well under Didit's 5 s delivery timeout. */
  @Type(() => Number)
  @IsInt({ message: 'WEBHOOK_PRODUCE_BUDGET_MS must be an integer' })
  @Min(50, { message: 'WEBHOOK_PRODUCE_BUDGET_MS must be between 50 and 4000' })
  @Max(4000, { message: 'WEBHOOK_PRODUCE_BUDGET_MS must be between 50 and 4000' })
  WEBHOOK_PRODUCE_BUDGET_MS = 2000;

  /** Unauthenticated failures one address may cause per window before it is answered 429. */
  @Type(() => Number)
  @IsInt({ message: 'WEBHOOK_AUTH_FAILURE_LIMIT must be an integer' })
  @Min(1, { message: 'WEBHOOK_AUTH_FAILURE_LIMIT must be at least 1' })
  WEBHOOK_AUTH_FAILURE_LIMIT = 20;

  @Type(() => Number)
  @IsInt({ message: 'WEBHOOK_AUTH_FAILURE_WINDOW_SEC must be an integer' })
  @Min(1, { message: 'WEBHOOK_AUTH_FAILURE_WINDOW_SEC must be between 1 and 86400' })
  @Max(86400, { message: 'WEBHOOK_AUTH_FAILURE_WINDOW_SEC must be between 1 and 86400' })
  WEBHOOK_AUTH_FAILURE_WINDOW_SEC = 60;

  /**
   * How often refusals are summed up into `webhook.rejected` events: one per address and reason per
   * interval (after a first one at once), however many requests were refused.
   */
  @Type(() => Number)
  @IsInt({ message: 'WEBHOOK_REJECTION_REPORT_INTERVAL_MS must be an integer' })
  @Min(100, { message: 'WEBHOOK_REJECTION_REPORT_INTERVAL_MS must be between 100 and 3600000' })
  @Max(3_600_000, { message: 'WEBHOOK_REJECTION_REPORT_INTERVAL_MS must be between 100 and 3600000' })
  WEBHOOK_REJECTION_REPORT_INTERVAL_MS = 60_000;

  /** Source name → scheme: WEBHOOK_SOURCES, then each provider whose secret is set under its own name. */
  sourceSchemes(): Map<string, SchemeName> {
    const schemes = new Map(list(this.WEBHOOK_SOURCES).map((pair) => pair.split(':') as [string, SchemeName]));
    for (const [provider, secret] of ENABLED_BY_SECRET) if (secret(this) !== undefined && !schemes.has(provider)) schemes.set(provider, provider);
    return schemes;
  }

  diditSecrets(): string[] {
    return list(this.DIDIT_WEBHOOK_SECRET);
  }

  standardSecrets(): string[] {
    return list(this.STANDARD_WEBHOOK_SECRET);
  }

  sumsubSecrets(): string[] {
    return list(this.SUMSUB_WEBHOOK_SECRET);
  }

  onfidoTokens(): string[] {
    return list(this.ONFIDO_WEBHOOK_TOKEN);
  }

  veriffSecrets(): string[] {
    return list(this.VERIFF_SHARED_SECRET);
  }

  veriffApiKeys(): string[] {
    return list(this.VERIFF_API_KEY);
  }

  personaSecrets(): string[] {
    return list(this.PERSONA_WEBHOOK_SECRET);
  }
}
