import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
const FILE = join(REPO_ROOT, '.cache', 'dev-secrets.json');

export interface DevSecrets {
  DIDIT_WEBHOOK_SECRET: string;
  STANDARD_WEBHOOK_SECRET: string;
  /** The other providers' webhook secrets: each enables its route (`/webhooks/sumsub` …) for the demo. */
  SUMSUB_WEBHOOK_SECRET: string;
  ONFIDO_WEBHOOK_TOKEN: string;
  VERIFF_SHARED_SECRET: string;
  VERIFF_API_KEY: string;
  PERSONA_WEBHOOK_SECRET: string;
  API_KEYS: string;
  AUDIT_SIGNING_KEY: string;
  AUDIT_PUBLIC_KEY: string;
  PII_ENCRYPTION_KEY: string;
  KEYRING_MASTER_KEY: string;
}

/** The shape a service recognises as a development value and refuses outside development. */
const devSecret = () => `dev_${randomBytes(24).toString('hex')}`;

function generate(): DevSecrets {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    DIDIT_WEBHOOK_SECRET: devSecret(),
    STANDARD_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
    SUMSUB_WEBHOOK_SECRET: devSecret(),
    ONFIDO_WEBHOOK_TOKEN: devSecret(),
    VERIFF_SHARED_SECRET: devSecret(),
    VERIFF_API_KEY: devSecret(),
    PERSONA_WEBHOOK_SECRET: devSecret(),
    API_KEYS: `dev-admin-${randomBytes(12).toString('hex')}:admin:dev-admin`,
    AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    AUDIT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    KEYRING_MASTER_KEY: randomBytes(32).toString('base64'),
  };
}

/** The development secrets `npm start` wrote in this checkout, or undefined when it never ran (nothing is generated). */
export function readDevSecrets(): Partial<DevSecrets> | undefined {
  return existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as Partial<DevSecrets>) : undefined;
}

/**
 * Development secrets, generated once per checkout and kept in the ignored .cache folder: data
 * encrypted or signed in one run must stay readable and verifiable in the next.
 */
export function loadDevSecrets(): DevSecrets {
  const kept = readDevSecrets();
  if (kept) {
    // A file from before a secret was added gets it; what it holds already stays.
    const complete = { ...generate(), ...kept };
    if (Object.keys(complete).length !== Object.keys(kept).length) writeFileSync(FILE, JSON.stringify(complete, null, 2), { mode: 0o600 });
    return complete;
  }
  const secrets = generate();
  mkdirSync(dirname(FILE), { recursive: true });
  writeFileSync(FILE, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
