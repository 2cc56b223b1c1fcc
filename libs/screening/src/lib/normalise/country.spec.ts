import { normaliseCountry } from './country';

describe('normaliseCountry', () => {
  it('compares ISO codes and English names as the same country', () => {
    expect(normaliseCountry('UA')).toBe('ua');
    expect(normaliseCountry('Ukraine')).toBe('ua');
    expect(normaliseCountry('Russian Federation')).toBe(normaliseCountry('ru'));
  });

  it('keeps an unknown (fictitious) country as its folded name', () => {
    expect(normaliseCountry('Grand Fenwick')).toBe('grand fenwick');
  });

  it('treats a blank value as no country', () => {
    expect(normaliseCountry('  ')).toBeUndefined();
  });
});
