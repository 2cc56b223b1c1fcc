import { randomBytes } from 'node:crypto';
import { PiiCipher } from './pii-cipher';

describe('PiiCipher', () => {
  const cipher = new PiiCipher(randomBytes(32).toString('base64'));
  const identity = { fullName: 'Viktor Kovalenko-Drask', dateOfBirth: '1968-04-12' };

  it('round-trips an identity and never stores the name in clear', () => {
    const sealed = cipher.encrypt(identity, 'subject:s-1');
    expect(sealed).not.toContain('Viktor');
    expect(Buffer.from(sealed.split(':')[3], 'base64').toString()).not.toContain('Viktor');
    expect(cipher.decrypt(sealed, 'subject:s-1')).toEqual(identity);
  });

  it('refuses a ciphertext moved to another row (context is authenticated)', () => {
    const sealed = cipher.encrypt(identity, 'subject:s-1');
    expect(() => cipher.decrypt(sealed, 'subject:s-2')).toThrow();
  });

  it('refuses a tampered ciphertext and one sealed under another key', () => {
    const sealed = cipher.encrypt(identity, 'ctx');
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3], 'base64');
    body[0] ^= 1;
    expect(() => cipher.decrypt([parts[0], parts[1], parts[2], body.toString('base64')].join(':'), 'ctx')).toThrow();
    expect(() => new PiiCipher(randomBytes(32).toString('base64')).decrypt(sealed, 'ctx')).toThrow();
  });

  it('gives the same digest for the same identity and a different one otherwise', () => {
    expect(cipher.digest('a|b')).toBe(cipher.digest('a|b'));
    expect(cipher.digest('a|b')).not.toBe(cipher.digest('a|c'));
    expect(cipher.digest('a|b')).toMatch(/^[0-9a-f]{64}$/);
  });
});
