import fc from 'fast-check';
import { doubleMetaphone } from './double-metaphone';
import { soundex } from './soundex';

describe('doubleMetaphone', () => {
  it.each([
    ['Smith', 'SM0', 'XMT'],
    ['Schmidt', 'XMT', 'SMT'],
    ['Jose', 'HS', 'HS'],
    ['Xavier', 'SF', 'SFR'],
    ['Michael', 'MKL', 'MXL'],
    ['Jankowski', 'JNKS', 'ANKF'],
    ['Filipowicz', 'FLPT', 'FLPF'],
    ['Gallegos', 'KLKS', 'KKS'],
    ['Breaux', 'PR', 'PR'],
  ])('encodes %s as %s / %s like the published algorithm', (word, primary, secondary) => {
    expect(doubleMetaphone(word)).toEqual({ primary, secondary });
  });

  it('gives transliteration variants of one name a shared code', () => {
    const shares = (a: string, b: string): boolean => {
      const x = doubleMetaphone(a);
      const y = doubleMetaphone(b);
      return [x.primary, x.secondary].some((code) => code === y.primary || code === y.secondary);
    };
    expect(shares('Mohammed', 'Muhammad')).toBe(true);
    expect(shares('Aleksandr', 'Alexander')).toBe(true);
    expect(shares('Jankowski', 'Yankovsky')).toBe(true);
    expect(shares('Schmidt', 'Smith')).toBe(true);
    expect(shares('Kovalenko', 'Petrov')).toBe(false);
  });

  it('only emits Metaphone code letters, at most maxLength of them, for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.integer({ min: 1, max: 8 }), (word, maxLength) => {
        const { primary, secondary } = doubleMetaphone(word, maxLength);
        for (const code of [primary, secondary]) {
          expect(code).toMatch(/^[A-Z0]*$/);
          expect(code.length).toBeLessThanOrEqual(maxLength);
        }
      }),
    );
  });
});

describe('soundex', () => {
  it.each([
    ['Robert', 'R163'],
    ['Rupert', 'R163'],
    ['Ashcraft', 'A261'],
    ['Tymczak', 'T522'],
    ['Pfister', 'P236'],
    ['Honeyman', 'H555'],
    ['Lee', 'L000'],
  ])('encodes %s as %s (American Soundex)', (word, code) => {
    expect(soundex(word)).toBe(code);
  });

  it('returns an empty code for a word with no Latin letters', () => {
    expect(soundex('123')).toBe('');
  });
});
