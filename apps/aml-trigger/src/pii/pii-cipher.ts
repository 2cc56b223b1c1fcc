import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Personal data at rest: AES-256-GCM with a fresh IV per value. The `context` (table and row key)
 * is authenticated as associated data, so a ciphertext copied onto another row does not decrypt.
 */
export class PiiCipher {
  private readonly key: Buffer;
  private readonly digestKey: Buffer;

  constructor(base64Key: string) {
    this.key = Buffer.from(base64Key, 'base64');
    if (this.key.length !== 32) throw new RangeError('PII_ENCRYPTION_KEY must decode to 32 bytes');
    // A separate key for digests: equality tests on identities never reuse the encryption key.
    this.digestKey = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), 'aml-trigger identity digest', 32));
  }

  encrypt(plain: unknown, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  decrypt<T>(sealed: string, context: string): T {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed value of this service');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    return JSON.parse(plain) as T;
  }

  /** A keyed digest (HMAC-SHA256): lets us tell "same identity as before" without storing it in clear. */
  digest(value: string): string {
    return createHmac('sha256', this.digestKey).update(value).digest('hex');
  }
}
