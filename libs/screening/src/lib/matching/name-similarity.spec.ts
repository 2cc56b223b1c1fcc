import { nameSimilarity } from './name-similarity';
import { prepareName } from './prepared-name';

const similarity = (query: string, listed: string): number => nameSimilarity(prepareName(query), prepareName(listed));
const LISTED = 'Viktor Ivanovich Kovalenko';

describe('nameSimilarity', () => {
  it('scores the same name 1 and a different name low', () => {
    expect(similarity(LISTED, LISTED)).toBe(1);
    expect(similarity('Maria Lopez Garcia', LISTED)).toBeLessThan(0.3);
  });

  it('ignores token order (LAST, First Middle)', () => {
    expect(similarity('KOVALENKO, Viktor Ivanovich', LISTED)).toBe(1);
  });

  it('barely penalises a missing middle name, on either side', () => {
    expect(similarity('Viktor Kovalenko', LISTED)).toBeGreaterThan(0.95);
    expect(similarity(LISTED, 'Viktor Kovalenko')).toBeGreaterThan(0.95);
  });

  it('penalises a different middle name more than a missing one', () => {
    expect(similarity('Viktor Petrovich Kovalenko', LISTED)).toBeLessThan(similarity('Viktor Kovalenko', LISTED));
  });

  it('keeps a one-letter typo close to the listed name', () => {
    expect(similarity('Viktor Ivanovich Kovalemko', LISTED)).toBeGreaterThan(0.95);
  });

  it('lets an initial stand for a given name, but less strongly than the name itself', () => {
    const initial = similarity('V. Ivanovich Kovalenko', LISTED);
    expect(initial).toBeGreaterThan(0.9);
    expect(initial).toBeLessThan(1);
    expect(similarity('P. Ivanovich Kovalenko', LISTED)).toBeLessThan(initial);
  });

  it('pairs tokens written apart on one side and together on the other (Xiao Ping / Xiaoping)', () => {
    expect(similarity('Zhang Xiao Ping', 'Zhang Xiaoping')).toBeGreaterThan(0.95);
  });

  it('treats sound-alike transliterations as near matches (Mohammed / Muhammad)', () => {
    expect(similarity('Mohammed Al-Zanduri', 'Muhammad Zanduri')).toBeGreaterThan(0.9);
  });

  it('treats one name romanised two ways as a near match, even when the variant is the first letter (Wang / Vang, Xiang / Ksiang)', () => {
    expect(similarity('Vang Yongshun', 'Wang Yongshun')).toBeGreaterThan(0.95);
    expect(similarity('Nikolai Wlelvlestets', 'Nikolai Vlelvlestets')).toBeGreaterThan(0.95);
    expect(similarity('Gao Ksiang', 'Gao Xiang')).toBeGreaterThan(0.95);
    // ...but a short folded spelling is no evidence: Cai and Kai are different family names.
    expect(similarity('Cai Fenyu', 'Kai Fenyu')).toBeLessThan(0.9);
  });

  it('does not take a patronymic for the given name or surname it is built on (Timur / Timurovich)', () => {
    expect(similarity('Timur Kovalenko', 'Aleksei Timurovich Kovalenko')).toBeLessThan(0.8);
    expect(similarity('Ivan Ivanov', 'Ivan Ivanovich')).toBeLessThan(0.8);
    expect(similarity('Timur Kovalenko', 'Timur Aleksandrovich Kovalenko')).toBeGreaterThan(0.95);
  });

  it('never rates one shared token as a name match, however exact', () => {
    expect(similarity('Viktor Smith', 'Viktor Kovalenko')).toBeLessThan(0.8);
    expect(similarity('Kovalenko', LISTED)).toBeLessThan(0.8);
  });
});
