import { createPrivateKey, createPublicKey } from 'node:crypto';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { BaseServiceConfig } from '@compliance/platform';
import { DEFAULT_DATABASE_URL } from '@compliance/persistence';

/** Env files often carry PEM on one line with literal `\n`; both forms are accepted. */
const unescapePem = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/\\n/g, '\n').trim() : value);

/** Splits concatenated PEM blocks. */
export function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
}

function isEd25519(pem: string, kind: 'private' | 'public'): boolean {
  try {
    const key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

function IsEd25519Pem(kind: 'private' | 'public', options: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: `isEd25519${kind}`,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && pemBlocks(value).length > 0 && pemBlocks(value).every((pem) => isEd25519(pem, kind)),
      },
    },
    options,
  );
}

export class AuditLogConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'AUDIT_LOG_PORT must be an integer port number' })
  @Min(1, { message: 'AUDIT_LOG_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'AUDIT_LOG_PORT must be between 1 and 65535' })
  AUDIT_LOG_PORT = 3004;

  /** Ed25519 private key (PKCS#8 PEM) that signs checkpoints of the chain head. */
  @Transform(unescapePem)
  @IsEd25519Pem('private', { message: 'AUDIT_SIGNING_KEY must be an Ed25519 private key in PEM (PKCS#8, "BEGIN PRIVATE KEY")' })
  AUDIT_SIGNING_KEY!: string;

  /** Extra public keys (PEM, concatenated) whose older checkpoints still verify after a key rotation. */
  @IsOptional()
  @Transform(unescapePem)
  @IsEd25519Pem('public', { message: 'AUDIT_PUBLIC_KEY must be one or more Ed25519 public keys in PEM ("BEGIN PUBLIC KEY")' })
  AUDIT_PUBLIC_KEY?: string;

  @Type(() => Number)
  @IsInt({ message: 'AUDIT_CHECKPOINT_EVERY must be an integer number of entries' })
  @Min(1, { message: 'AUDIT_CHECKPOINT_EVERY must be at least 1' })
  AUDIT_CHECKPOINT_EVERY = 1000;

  @Type(() => Number)
  @IsInt({ message: 'AUDIT_CHECKPOINT_INTERVAL_MS must be an integer number of milliseconds' })
  @Min(100, { message: 'AUDIT_CHECKPOINT_INTERVAL_MS must be at least 100' })
  AUDIT_CHECKPOINT_INTERVAL_MS = 60_000;
}

/**
 * What `npm run audit:verify` needs: the database and the keys to trust. Without any key it
 * falls back to the public keys recorded with the checkpoints, and says so.
 */
export class AuditVerifyConfig {
  @IsString()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = DEFAULT_DATABASE_URL;

  @IsOptional()
  @Transform(unescapePem)
  @IsEd25519Pem('private', { message: 'AUDIT_SIGNING_KEY must be an Ed25519 private key in PEM (PKCS#8, "BEGIN PRIVATE KEY")' })
  AUDIT_SIGNING_KEY?: string;

  @IsOptional()
  @Transform(unescapePem)
  @IsEd25519Pem('public', { message: 'AUDIT_PUBLIC_KEY must be one or more Ed25519 public keys in PEM ("BEGIN PUBLIC KEY")' })
  AUDIT_PUBLIC_KEY?: string;

  /** Where the published checkpoints are read from (unset: the chain is verified without them). */
  @IsOptional()
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS?: string;

  @IsOptional()
  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may hold letters, digits, ".", "_" and "-" only' })
  KAFKA_TOPIC_PREFIX = '';

  /** The cadence the chain was checkpointed with: the same variables as the service's. */
  @Type(() => Number)
  @IsInt({ message: 'AUDIT_CHECKPOINT_EVERY must be an integer number of entries' })
  @Min(1, { message: 'AUDIT_CHECKPOINT_EVERY must be at least 1' })
  AUDIT_CHECKPOINT_EVERY = 1000;

  @Type(() => Number)
  @IsInt({ message: 'AUDIT_CHECKPOINT_INTERVAL_MS must be an integer number of milliseconds' })
  @Min(100, { message: 'AUDIT_CHECKPOINT_INTERVAL_MS must be at least 100' })
  AUDIT_CHECKPOINT_INTERVAL_MS = 60_000;
}

/** How long past the checkpoint interval an uncovered entry may wait (a busy or restarting service). */
export const CHECKPOINT_GRACE_MS = 60_000;

/**
 * What verification holds the head to, from the cadence the chain is checkpointed with (the service's
 * and `audit:verify`'s variables alike); an offline copy has no age limit.
 */
export function checkpointCoverage(
  config: Pick<AuditVerifyConfig, 'AUDIT_CHECKPOINT_EVERY' | 'AUDIT_CHECKPOINT_INTERVAL_MS'>,
  offline = false,
): { every: number; maxUncoveredAgeMs: number | null } {
  return { every: config.AUDIT_CHECKPOINT_EVERY, maxUncoveredAgeMs: offline ? null : config.AUDIT_CHECKPOINT_INTERVAL_MS + CHECKPOINT_GRACE_MS };
}
