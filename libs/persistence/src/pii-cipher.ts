import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PiiDecryptError extends Error {
  readonly code = 'PII_UNDECRYPTABLE';
}

/**
 * AES-256-GCM for personal data at rest. A value is stored as `v1.<keyId>.<iv>.<tag>.<ciphertext>`
 * (base64url parts); the key id names the key without revealing it, so a rotation can tell old
 * rows apart. The context (table, column, row id) is bound as additional data: a ciphertext copied
 * into another row or column no longer decrypts.
 */
export class PiiCipher {
  private readonly encryptionKey: Buffer;
  private readonly digestKey: Buffer;
  readonly keyId: string;

  /** `purpose` (the owning service) derives keys of its own from the one configured secret. */
  constructor(base64Key: string, purpose: string) {
    const key = Buffer.from(base64Key.trim(), 'base64');
    if (key.length !== 32) throw new RangeError('PII_ENCRYPTION_KEY must decode to 32 bytes');
    // Separate keys for encryption and for digests, derived from the one configured secret.
    this.encryptionKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `${purpose} pii encryption`, 32));
    this.digestKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `${purpose} pii digest`, 32));
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(stored: string, context: string): string {
    const [version, keyId, iv, tag, body] = stored.split('.');
    if (version !== VERSION || body === undefined) throw new PiiDecryptError('not an encrypted value');
    if (keyId !== this.keyId) throw new PiiDecryptError(`encrypted with another key (${keyId})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
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

  /** A keyed digest: detects that personal data changed without storing it, and cannot be brute-forced without the key. */
  digest(value: string): string {
    return createHmac('sha256', this.digestKey).update(value, 'utf8').digest('hex');
  }
}
