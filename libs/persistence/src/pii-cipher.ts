import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { secureRandomBytes } from '@compliance/contracts';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PiiDecryptError extends Error {
  readonly code = 'PII_UNDECRYPTABLE';
}

/**
 * Reads a list of base64 keys of 32 bytes, comma-separated, the first being the one that encrypts (the
 * others only decrypt, during a rotation) — `PII_ENCRYPTION_KEY`, `KEYRING_MASTER_KEY`. Throws a
 * RangeError that names the variable and the position of a bad key, never its value.
 */
export function parseKeyList(value: string, variable: string): Buffer[] {
  const parts = value.split(',').map((k) => k.trim());
  return parts.map((part, i) => {
    const key = /^[A-Za-z0-9+/]+={0,2}$/.test(part) ? Buffer.from(part, 'base64') : Buffer.alloc(0);
    if (key.length !== 32) {
      const which = parts.length > 1 ? ` (key ${i + 1} of ${parts.length})` : '';
      throw new RangeError(`${variable} must be base64 keys of exactly 32 bytes, comma-separated${which}`);
    }
    return key;
  });
}

/** `PII_ENCRYPTION_KEY` (see parseKeyList). */
export const parsePiiKeys = (value: string): Buffer[] => parseKeyList(value, 'PII_ENCRYPTION_KEY');

interface DerivedKey {
  encryption: Buffer;
  digest: Buffer;
}

/**
 * AES-256-GCM for personal data at rest. A value is stored as `v1.<keyId>.<iv>.<tag>.<ciphertext>`
 * (base64url parts); the key id names the key without revealing it. Rotation: the first configured
 * key encrypts, every configured key decrypts what carries its id, so data written under an old key
 * stays readable while it is listed. The context (table, column, row id) is bound as additional
 * data: a ciphertext copied into another row or column no longer decrypts.
 */
export class PiiCipher {
  private readonly current: DerivedKey;
  private readonly byId = new Map<string, DerivedKey>();
  /** The id of the key that encrypts. */
  readonly keyId: string;

  /** `purpose` (the owning service) derives keys of its own from the configured secrets. */
  constructor(keys: string, purpose: string) {
    const [first, ...older] = parsePiiKeys(keys);
    this.keyId = keyIdOf(first);
    this.current = derive(first, purpose);
    this.byId.set(this.keyId, this.current);
    for (const key of older) if (!this.byId.has(keyIdOf(key))) this.byId.set(keyIdOf(key), derive(key, purpose));
  }

  /** Whether a stored value was encrypted under an older key (and should be written again). */
  isUnderOlderKey(stored: string): boolean {
    return stored.split('.')[1] !== this.keyId;
  }

  encrypt(plaintext: string, context: string): string {
    const iv = secureRandomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.encryption, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(stored: string, context: string): string {
    const [version, keyId, iv, tag, body] = stored.split('.');
    if (version !== VERSION || body === undefined) throw new PiiDecryptError('not an encrypted value');
    const key = this.byId.get(keyId);
    if (!key) throw new PiiDecryptError(`encrypted with a key that is not configured (${keyId})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.encryption, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new PiiDecryptError('ciphertext failed authentication');
    }
  }

  encryptOptional(value: string | undefined, context: string): string | null {
    return value === undefined || value === '' ? null : this.encrypt(value, context);
  }

  decryptOptional(stored: string | null, context: string): string | undefined {
    return stored === null ? undefined : this.decrypt(stored, context);
  }

  /** Encrypts a JSON value (an identity record) as one sealed string. */
  sealJson(value: unknown, context: string): string {
    return this.encrypt(JSON.stringify(value), context);
  }

  openJson<T>(stored: string, context: string): T {
    return JSON.parse(this.decrypt(stored, context)) as T;
  }

  /**
   * A keyed digest: detects that personal data changed without storing it, and cannot be brute-forced
   * without the key. Keyed by the current key, so a rotation changes every digest.
   */
  digest(value: string): string {
    return createHmac('sha256', this.current.digest).update(value, 'utf8').digest('hex');
  }

  /**
   * The keyed digest of `value` under every configured key, the current one first: looking up a
   * digest stored before a rotation (an erasure tombstone) still finds it while the old key is listed.
   */
  digests(value: string): string[] {
    return [...this.byId.values()].map((k) => createHmac('sha256', k.digest).update(value, 'utf8').digest('hex'));
  }
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

// Separate keys for encryption and for digests, derived per purpose from one configured secret.
function derive(key: Buffer, purpose: string): DerivedKey {
  return {
    encryption: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `${purpose} pii encryption`, 32)),
    digest: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `${purpose} pii digest`, 32)),
  };
}
