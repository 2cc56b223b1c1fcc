/**
 * `npm run secrets [-- --force]`: writes `.env` next to docker-compose.yml with fresh secrets for a
 * deployment: the webhook secrets, an admin API key, the PII key, the keyring's master key and the audit signing key. Compose
 * reads its secrets from there and has no defaults of its own. An existing `.env` is kept (its
 * secrets protect data already stored) unless `--force` is given. Prints the admin key and the audit
 * public key, never the other values. The Kafka passwords (the admin's, one per service and the console's) are used by
 * docker-compose.sasl.yml, the broker with SASL/SCRAM and ACLs.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeploymentSecrets {
  DIDIT_WEBHOOK_SECRET: string;
  STANDARD_WEBHOOK_SECRET: string;
  API_KEYS: string;
  PII_ENCRYPTION_KEY: string;
  AUDIT_SIGNING_KEY: string;
  KEYRING_MASTER_KEY: string;
  KAFKA_ADMIN_PASSWORD: string;
  KAFKA_PASSWORD_WEBHOOK_GATEWAY: string;
  KAFKA_PASSWORD_KYC_RESULTS: string;
  KAFKA_PASSWORD_AML_TRIGGER: string;
  KAFKA_PASSWORD_RETENTION: string;
  KAFKA_PASSWORD_AUDIT_LOG: string;
  KAFKA_PASSWORD_CONSOLE: string;
}

/** A SCRAM password: base64url, so it needs no quoting in a JAAS line or a `--add-scram` argument. */
const kafkaPassword = () => randomBytes(24).toString('base64url');

export function generateSecrets(): { secrets: DeploymentSecrets; adminKey: string; auditPublicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const adminKey = randomBytes(24).toString('base64url');
  return {
    secrets: {
      DIDIT_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
      STANDARD_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      API_KEYS: `${adminKey}:admin:admin`,
      PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // One line: compose reads `\n` back as newlines through the services' PEM handling.
      AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim().replace(/\n/g, '\\n'),
      KEYRING_MASTER_KEY: randomBytes(32).toString('base64'),
      KAFKA_ADMIN_PASSWORD: kafkaPassword(),
      KAFKA_PASSWORD_WEBHOOK_GATEWAY: kafkaPassword(),
      KAFKA_PASSWORD_KYC_RESULTS: kafkaPassword(),
      KAFKA_PASSWORD_AML_TRIGGER: kafkaPassword(),
      KAFKA_PASSWORD_RETENTION: kafkaPassword(),
      KAFKA_PASSWORD_AUDIT_LOG: kafkaPassword(),
      KAFKA_PASSWORD_CONSOLE: kafkaPassword(),
    },
    adminKey,
    auditPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The `.env` text: one `NAME='value'` per line (single quotes: compose takes the value literally). */
export function envFileText(secrets: Partial<DeploymentSecrets>): string {
  return `${Object.entries(secrets)
    .map(([k, v]) => `${k}='${v}'`)
    .join('\n')}\n`;
}

/** The `.env` lines for the secrets an existing file lacks (one written before they were added). */
export function missingSecrets(existing: string, fresh: DeploymentSecrets): string {
  const present = new Set(existing.split('\n').map((line) => line.slice(0, line.indexOf('=')).trim()));
  const missing = Object.entries(fresh).filter(([name]) => !present.has(name));
  return missing.length ? envFileText(Object.fromEntries(missing) as Partial<DeploymentSecrets>) : '';
}

function main(): void {
  const file = join(__dirname, '..', '..', '.env');
  if (existsSync(file) && !process.argv.includes('--force')) {
    const text = readFileSync(file, 'utf8');
    const missing = missingSecrets(text, generateSecrets().secrets);
    if (missing) appendFileSync(file, `${text.endsWith('\n') || !text ? '' : '\n'}${missing}`);
    process.stdout.write(
      `.env exists; keeping its secrets (they protect data already stored)${missing ? `, added ${missing.trim().split('\n').map((l) => l.slice(0, l.indexOf('='))).join(', ')}` : ''}. Use --force to replace it.\n`,
    );
    return;
  }
  const { secrets, adminKey, auditPublicKey } = generateSecrets();
  writeFileSync(file, envFileText(secrets), { mode: 0o600 });
  process.stdout.write(`wrote .env (mode 600). Admin API key: ${adminKey}\nAudit public key (for npm run audit:verify, AUDIT_PUBLIC_KEY):\n${auditPublicKey}`);
}

if (require.main === module) main();
