import fc from 'fast-check';
import { jaro, jaroWinkler } from './jaro-winkler';

describe('jaroWinkler', () => {
  it('reproduces the textbook values of Winkler (1990)', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
  });

  it('scores strings with no letters in common 0 and an empty string against a word 0', () => {
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'viktor')).toBe(0);
  });

  it('rewards a shared prefix: a typo at the end costs less than one at the start', () => {
    expect(jaroWinkler('kovalenko', 'kovalenkp')).toBeGreaterThan(jaroWinkler('kovalenko', 'lovalenko'));
  });

  it('is symmetric and stays within [0, 1] for any pair of strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const forward = jaroWinkler(a, b);
        expect(forward).toBe(jaroWinkler(b, a));
        expect(forward).toBeGreaterThanOrEqual(0);
        expect(forward).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('scores identical strings 1 and never scores below plain Jaro', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        expect(jaroWinkler(a, a)).toBe(1);
        expect(jaroWinkler(a, b)).toBeGreaterThanOrEqual(jaro(a, b));
      }),
    );
  });
});
