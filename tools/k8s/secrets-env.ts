/**
 * `npx tsx tools/k8s/secrets-env.ts <overlay dir> [--force]`: writes the overlay's `secrets.env`, from
 * which its kustomize secretGenerator makes `compliance-secrets` (docs/operations.md). Fresh secrets as
 * `npm run secrets` makes them, plus DATABASE_URL (taken from the environment: it names your database
 * and its password) and the console's Kafka password. Values are unquoted (kustomize keeps quotes).
 * An existing file is kept (its secrets protect data already stored); keys it lacks are appended;
 * `--force` replaces it. Prints the admin API key and the audit public key, never the other values.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecrets } from '../secrets/generate';

/** Keys the Deployments may read and nobody can generate: each provider issues its own (all optional). */
export const OPTIONAL_SECRET_KEYS = [
  'SUMSUB_WEBHOOK_SECRET',
  'ONFIDO_WEBHOOK_TOKEN',
  'VERIFF_SHARED_SECRET',
  'VERIFF_API_KEY',
  'PERSONA_WEBHOOK_SECRET',
  'ONFIDO_API_TOKEN',
  'SUMSUB_APP_TOKEN',
  'SUMSUB_SECRET_KEY',
  'DIDIT_API_KEY',
  'PERSONA_API_KEY',
  'DATABASE_RUNTIME_URL_WEBHOOK_GATEWAY',
  'DATABASE_RUNTIME_URL_KYC_RESULTS',
  'DATABASE_RUNTIME_URL_AML_TRIGGER',
  'DATABASE_RUNTIME_URL_RETENTION',
  'DATABASE_RUNTIME_URL_AUDIT_LOG',
] as const;

export interface SecretsEnv {
  entries: Record<string, string>;
  adminKey: string;
  auditPublicKey: string;
}

/** The Secret's keys and values for a deployment whose database is `databaseUrl`. */
export function secretsEnv(databaseUrl: string): SecretsEnv {
  const { secrets, adminKey, auditPublicKey } = generateSecrets();
  // The console reads alerts and lag from Kafka as its own principal (components/kafka-sasl).
  const entries = { DATABASE_URL: databaseUrl, ...secrets, KAFKA_PASSWORD_CONSOLE: randomBytes(24).toString('base64url') };
  return { entries, adminKey, auditPublicKey };
}

/** `KEY=value` lines, then the optional keys as comments to fill in. */
export function secretsEnvText(entries: Record<string, string>, withOptional = true): string {
  const lines = Object.entries(entries).map(([k, v]) => `${k}=${v}`);
  const optional = withOptional ? ['# Optional, issued by each provider or provisioned by you (docs/operations.md):', ...OPTIONAL_SECRET_KEYS.map((k) => `# ${k}=`)] : [];
  return `${[...lines, ...optional].join('\n')}\n`;
}

const keysOf = (text: string): Set<string> =>
  new Set(
    text
      .split('\n')
      .filter((l) => l.includes('=') && !l.trimStart().startsWith('#'))
      .map((l) => l.slice(0, l.indexOf('=')).trim()),
  );

function main(argv: string[]): number {
  const dir = argv.find((a) => !a.startsWith('--'));
  const databaseUrl = process.env.DATABASE_URL;
  if (!dir || !existsSync(join(dir, 'kustomization.yaml'))) {
    process.stderr.write('usage: DATABASE_URL=postgres://… npx tsx tools/k8s/secrets-env.ts <overlay dir> [--force]\n');
    return 64;
  }
  if (!databaseUrl || !/^postgres(ql)?:\/\/\S+$/.test(databaseUrl)) {
    process.stderr.write('DATABASE_URL must be set to the postgres:// URL the services migrate with (its user creates the schemas)\n');
    return 64;
  }
  const file = join(dir, 'secrets.env');
  const { entries, adminKey, auditPublicKey } = secretsEnv(databaseUrl);
  if (existsSync(file) && !argv.includes('--force')) {
    const present = keysOf(readFileSync(file, 'utf8'));
    const missing = Object.fromEntries(Object.entries(entries).filter(([k]) => !present.has(k)));
    if (Object.keys(missing).length) appendFileSync(file, secretsEnvText(missing, false));
    const added = Object.keys(missing).join(', ');
    process.stdout.write(`${file} exists; keeping its secrets${added ? `, added ${added}` : ''}. Use --force to replace it.\n`);
    return 0;
  }
  writeFileSync(file, secretsEnvText(entries), { mode: 0o600 });
  process.stdout.write(`wrote ${file} (mode 600). Admin API key: ${adminKey}\nAudit public key (AUDIT_PUBLIC_KEY for npm run audit:verify):\n${auditPublicKey}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
