import { randomBytes } from 'node:crypto';
import { parsePiiKeys, PiiCipher } from './pii-cipher';

const key = randomBytes(32).toString('base64');

describe('PiiCipher', () => {
  const cipher = new PiiCipher(key, 'test');

  it('decrypts what it encrypted, and never produces the same ciphertext twice', () => {
    const a = cipher.encrypt('Ana Núñez García', 'ctx');
    const b = cipher.encrypt('Ana Núñez García', 'ctx');
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a, 'ctx')).toBe('Ana Núñez García');
  });

  it('refuses a ciphertext moved to another row or column', () => {
    const stored = cipher.encrypt('X1234567', 'identity_attributes/documentNumber/s-1');
    expect(() => cipher.decrypt(stored, 'identity_attributes/documentNumber/s-2')).toThrow('ciphertext failed authentication');
  });

  it('refuses a tampered ciphertext', () => {
    const parts = cipher.encrypt('1990-04-02', 'ctx').split('.');
    const body = Buffer.from(parts[4], 'base64url');
    body[0] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), 'ctx')).toThrow('ciphertext failed authentication');
  });

  it('names the key a value was encrypted with and refuses to use another', () => {
    const stored = cipher.encrypt('ESP', 'ctx');
    const other = new PiiCipher(randomBytes(32).toString('base64'), 'test');
    expect(stored.split('.')[1]).toBe(cipher.keyId);
    expect(() => other.decrypt(stored, 'ctx')).toThrow(`encrypted with a key that is not configured (${cipher.keyId})`);
  });

  it('gives a keyed digest: stable for one key, different under another', () => {
    expect(cipher.digest('Ana')).toBe(new PiiCipher(key, 'test').digest('Ana'));
    expect(cipher.digest('Ana')).not.toBe(new PiiCipher(randomBytes(32).toString('base64'), 'test').digest('Ana'));
  });

  it('rejects a key that is not 32 bytes, naming its position in a list but never its value', () => {
    expect(() => new PiiCipher(randomBytes(16).toString('base64'), 'test')).toThrow('32 bytes');
    const short = randomBytes(16).toString('base64');
    expect(() => parsePiiKeys(`${key}, ${short}`)).toThrow('(key 2 of 2)');
    expect(() => parsePiiKeys(`${key}, ${short}`)).not.toThrow(short);
    expect(() => parsePiiKeys(`${key},`)).toThrow('(key 2 of 2)');
    expect(parsePiiKeys(` ${key} `)).toHaveLength(1);
  });
});

describe('PiiCipher key rotation', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const before = new PiiCipher(oldKey, 'test');
  const during = new PiiCipher(`${newKey},${oldKey}`, 'test');

  it('encrypts under the first key and still decrypts what an older listed key encrypted', () => {
    const old = before.encrypt('Ana', 'ctx');
    const fresh = during.encrypt('Ana', 'ctx');
    expect(during.decrypt(old, 'ctx')).toBe('Ana');
    expect(fresh.split('.')[1]).toBe(new PiiCipher(newKey, 'test').keyId);
    expect(during.isUnderOlderKey(old)).toBe(true);
    expect(during.isUnderOlderKey(fresh)).toBe(false);
    expect(() => before.decrypt(fresh, 'ctx')).toThrow('not configured');
  });

  it('forgets a key once it is no longer listed', () => {
    const old = before.encrypt('Ana', 'ctx');
    expect(() => new PiiCipher(newKey, 'test').decrypt(old, 'ctx')).toThrow(`not configured (${before.keyId})`);
  });

  it('digests under the current key', () => {
    expect(during.digest('Ana')).toBe(new PiiCipher(newKey, 'test').digest('Ana'));
    expect(during.digest('Ana')).not.toBe(before.digest('Ana'));
  });
});

describe('PiiCipher JSON sealing', () => {
  const cipher = new PiiCipher(randomBytes(32).toString('base64'), 'test');
  const identity = { fullName: 'Viktor Kovalenko-Drask', dateOfBirth: '1968-04-12' };

  it('round-trips a record and never shows it in clear', () => {
    const sealed = cipher.sealJson(identity, 'subject:s-1');
    expect(sealed).not.toContain('Viktor');
    expect(cipher.openJson(sealed, 'subject:s-1')).toEqual(identity);
  });

  it('derives separate keys per purpose from one secret', () => {
    const key = randomBytes(32).toString('base64');
    const sealed = new PiiCipher(key, 'kyc-results').sealJson(identity, 'ctx');
    expect(() => new PiiCipher(key, 'aml-trigger').openJson(sealed, 'ctx')).toThrow();
  });
});
