import { secureRandomBytes } from './secure-random';

describe('secureRandomBytes', () => {
  it('hands out bytes of the asked length, never the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = secureRandomBytes(12);
      expect(b).toHaveLength(12);
      const hex = b.toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
    expect(secureRandomBytes(10_000)).toHaveLength(10_000);
  });

  it('gives buffers of their own: changing one does not change the next', () => {
    const a = secureRandomBytes(16);
    const copy = Buffer.from(a);
    a.fill(0);
    const b = secureRandomBytes(16);
    expect(b.equals(Buffer.alloc(16))).toBe(false);
    expect(copy.equals(Buffer.alloc(16))).toBe(false);
  });

  it('spreads bytes over all values (no stuck or zeroed pool)', () => {
    const counts = new Array(256).fill(0);
    for (const byte of secureRandomBytes(4096 * 4)) counts[byte]++;
    expect(Math.min(...counts)).toBeGreaterThan(20);
  });
});
