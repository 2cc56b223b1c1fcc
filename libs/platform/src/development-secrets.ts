/**
 * Secrets the repository itself publishes for development: the defaults of docker-compose.yml. Anyone
 * with the repository can read them, so a service refuses them outside development, in whichever
 * variable they turn up (a service's own secrets included: the check reads every string variable of
 * its config class).
 */
const PUBLISHED_SECRETS: readonly string[] = [
  // API_KEYS
  'dev-admin-key',
  // DIDIT_WEBHOOK_SECRET
  'dev-didit-webhook-secret',
  // STANDARD_WEBHOOK_SECRET, with and without its prefix
  'whsec_ZGV2LXN0YW5kYXJkLXdlYmhvb2stc2VjcmV0',
  'ZGV2LXN0YW5kYXJkLXdlYmhvb2stc2VjcmV0',
  // PII_ENCRYPTION_KEY
  'NTqGkKndPSinXYLrix0jzGDt7ypKDnFcxVBdboJ2oJA=',
  // AUDIT_SIGNING_KEY (the body of its PKCS#8 PEM)
  'MC4CAQAwBQYDK2VwBCIEID6+kXugtEcrV36ad5nLdJQE8Gdfh3TOXBsH3/3v1N9B',
  // Its public key (SPKI body): trusting it (AUDIT_PUBLIC_KEY) trusts whoever holds the published private key.
  'MCowBQYDK2VwAyEAAGmhkKTXiZUSOGqCXYTVxWfgvMqz3YBeX+e3r9CvjuM=',
];

/**
 * What tools/stack/dev-secrets.ts generates for `npm start`: random, but marked as development values
 * (a Didit secret `dev_<48 hex>`, an admin key `dev-admin-<24 hex>`), so a copy of the dev file
 * deployed elsewhere is recognised.
 */
const GENERATED_SHAPES: readonly RegExp[] = [/^dev_[0-9a-f]{48}$/, /^dev-admin-[0-9a-f]{24}$/];

/** Shorter API keys are typos, placeholders or guessable (`analyst-key`); 24 random characters are not. */
export const MIN_API_KEY_LENGTH = 24;

const DEVELOPMENT = 'development';
const HOW = 'NODE_ENV=development allows it on a developer machine';

/** The pieces a secret may hide among: comma-separated lists, `key:role:name` pairs, PEM lines (also with escaped newlines). */
const pieces = (value: string): string[] => value.split(/\\n|[\s,:]+/).filter(Boolean);

export function isPublishedSecret(piece: string): boolean {
  return PUBLISHED_SECRETS.includes(piece) || GENERATED_SHAPES.some((shape) => shape.test(piece));
}

/** Whether the environment is a developer's machine: only `NODE_ENV=development` (what `npm start` sets) is. */
export function isDevelopment(env: { NODE_ENV?: string }): boolean {
  return env.NODE_ENV === DEVELOPMENT;
}

/**
 * What must not run outside development, one message per variable: a published development secret
 * in any string variable of the config, an API key shorter than MIN_API_KEY_LENGTH. Messages name the
 * variable (and a key's position in API_KEYS), never a value.
 */
export function developmentSecretProblems(config: object): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === 'string' && pieces(value).some(isPublishedSecret)) {
      problems.push(`${name} holds a development secret published with the repository (docker-compose.yml, tools/stack); set a secret of your own (${HOW})`);
    }
  }
  const apiKeys = (config as { API_KEYS?: unknown }).API_KEYS;
  if (typeof apiKeys === 'string') {
    const keys = apiKeys.split(',').filter(Boolean).map((pair) => pair.split(':')[0]);
    const short = keys.flatMap((key, i) => (key.length < MIN_API_KEY_LENGTH ? [i + 1] : []));
    if (short.length > 0) {
      const which = short.length === 1 ? `key ${short[0]}` : `keys ${short.join(', ')}`;
      problems.push(
        `API_KEYS: ${which} of ${keys.length} shorter than ${MIN_API_KEY_LENGTH} characters; use random keys (e.g. \`openssl rand -hex 16\`) (${HOW})`,
      );
    }
  }
  return problems;
}
