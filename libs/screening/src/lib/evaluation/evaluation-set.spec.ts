import { normaliseName } from '../normalise/name-normaliser';
import { Screener } from '../screening/screener';
import type { WatchlistEntry } from '../watchlist/watchlist-entry';
import { WatchlistIndex } from '../watchlist/watchlist-index';
import { precisionOf, recallOf, tallyEvaluation } from './evaluation-scoring';
import { generateEvaluationSet } from './evaluation-set';
import { areNearNames } from './near-listed-names';
import { generateSyntheticWatchlist } from './synthetic-watchlist';

const tokens = (name: string): string[] => normaliseName(name).split(' ');

describe('generateSyntheticWatchlist', () => {
  it('generates the requested number of entries, identically for the same seed', () => {
    const first = generateSyntheticWatchlist({ count: 500, seed: 3 });
    expect(first).toHaveLength(500);
    expect(generateSyntheticWatchlist({ count: 500, seed: 3 })).toEqual(first);
    expect(generateSyntheticWatchlist({ count: 500, seed: 4 })).not.toEqual(first);
  });

  it('gives every entry a unique id and at least one name', () => {
    const entries = generateSyntheticWatchlist({ count: 2_000, seed: 3 });
    expect(new Set(entries.map((e) => e.entityId)).size).toBe(entries.length);
    expect(entries.every((e) => e.names.length > 0 && e.names[0].trim() !== '')).toBe(true);
  });

  it('draws names long-tailed: a few very common given names and surnames, most surnames rare', () => {
    const people = generateSyntheticWatchlist({ count: 20_000, seed: 3 }).filter((e) => e.schema === 'Person');
    const count = (values: string[]): number[] => {
      const counts = new Map<string, number>();
      for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
      return [...counts.values()].sort((a, b) => b - a);
    };
    const given = count(people.map((e) => tokens(e.names[0])[0]));
    const surnames = count(people.filter((e) => !e.countries.includes('cn')).map((e) => tokens(e.names[0]).at(-1) ?? ''));
    // The commonest given name is carried by over 1% of people...
    expect(given[0] / people.length).toBeGreaterThan(0.01);
    // ...while most surnames are carried by one person only.
    expect(surnames.filter((c) => c === 1).length / surnames.length).toBeGreaterThan(0.5);
    expect(surnames[0]).toBeGreaterThan(10);
  });

  it('repeats few full names exactly', () => {
    const entries = generateSyntheticWatchlist({ count: 20_000, seed: 3 });
    const names = entries.map((e) => normaliseName(e.names[0]));
    expect(new Set(names).size / names.length).toBeGreaterThan(0.97);
  });
});

describe('areNearNames', () => {
  it('treats typos, reordering and one token more or less as near, other names as not', () => {
    expect(areNearNames(tokens('Ivan Petrov'), tokens('Ivan Pertov'))).toBe(true);
    expect(areNearNames(tokens('Petrov Ivan'), tokens('Ivan Petrov'))).toBe(true);
    expect(areNearNames(tokens('Ivan Sergeyevich Petrov'), tokens('Ivan Petrovv'))).toBe(true);
    expect(areNearNames(tokens('Ivan Petrov'), tokens('Ivan Sokolov'))).toBe(false);
    expect(areNearNames(tokens('Wang Wei'), tokens('Wang Weiming'))).toBe(false);
  });
});

describe('generateEvaluationSet', () => {
  const entries = generateSyntheticWatchlist({ count: 5_000, seed: 11 });
  const index = WatchlistIndex.build(entries);
  const cases = generateEvaluationSet(index, { seed: 12, count: 600 });

  it('is deterministic by seed', () => {
    expect(generateEvaluationSet(index, { seed: 12, count: 600 })).toEqual(cases);
  });

  it('derives each listed query from its expected entry through named perturbations', () => {
    const ids = new Set(entries.map((e) => e.entityId));
    const listed = cases.filter((c) => c.expected);
    expect(listed.length).toBeGreaterThan(300);
    for (const c of listed) {
      expect(ids.has(c.expected?.entityId ?? '')).toBe(true);
      expect(c.perturbations.length).toBeGreaterThan(0);
    }
    const kinds = new Set(listed.flatMap((c) => c.perturbations));
    expect([...kinds].sort()).toEqual(['addAccents', 'dropMiddleName', 'initials', 'romanise', 'swapTokens', 'toCyrillic', 'typo']);
  });

  it('uses as negatives only invented names no listed name is within a perturbation of (checked by scanning the list)', () => {
    const listedTokens = entries.flatMap((e) => e.names.map(tokens));
    const invented = cases.filter((c) => !c.expected);
    expect(invented.length).toBeGreaterThan(100);
    for (const c of invented) {
      const query = tokens(c.query.fullName);
      expect(listedTokens.find((listed) => areNearNames(query, listed))).toBeUndefined();
    }
  });

  it('turns down an invented name one letter from a listed one', () => {
    // A list holding a near twin of every name the generator invents first.
    const probe = generateEvaluationSet(index, { seed: 99, count: 40, nonMatchingShare: 1 });
    const twins: WatchlistEntry[] = probe.map((c, i) => ({
      ...entries[0], entityId: `twin-${i}`, names: [c.query.fullName.replace(/.$/, (letter) => (letter === 'x' ? 'y' : 'x'))],
    }));
    const rejected: string[] = [];
    const withTwins = WatchlistIndex.build([...entries, ...twins]);
    const again = generateEvaluationSet(withTwins, { seed: 99, count: 40, nonMatchingShare: 1, onNegativeRejected: (name) => rejected.push(name) });
    expect(rejected).toEqual(expect.arrayContaining([probe[0].query.fullName]));
    expect(again.map((c) => c.query.fullName)).not.toContain(probe[0].query.fullName);
  });

  it('draws again a perturbed name that is exactly another entry\'s listed name', () => {
    const namesakes = WatchlistIndex.build([
      { ...entries[0], entityId: 'full', names: ['Dmitri Maksimovich Svizdiov'], schema: 'Person' },
      { ...entries[0], entityId: 'short', names: ['Dmitri Svizdiov'], schema: 'Person' },
    ]);
    const redrawn: string[] = [];
    const listed = generateEvaluationSet(namesakes, { seed: 5, count: 300, nonMatchingShare: 0, onListedRedrawn: (name) => redrawn.push(name) });
    expect(redrawn.map(normaliseName)).toContain('dmitri svizdiov');
    const fromFull = listed.filter((c) => c.expected?.entityId === 'full').map((c) => normaliseName(c.query.fullName));
    expect(fromFull.length).toBeGreaterThan(100);
    expect(fromFull).not.toContain('dmitri svizdiov');
    // The short name's own perturbations (accents, reordering) stay, namesake or not.
    expect(listed.filter((c) => c.expected?.entityId === 'short').length).toBeGreaterThan(100);
  });

  it('lets the default screener reach recall >= 0.95 and precision >= 0.95 on it', () => {
    const screener = new Screener(index);
    const tally = tallyEvaluation(cases, cases.map((c) => screener.screen(c.query)));
    expect(recallOf(tally)).toBeGreaterThanOrEqual(0.95);
    expect(precisionOf(tally)).toBeGreaterThanOrEqual(0.95);
  });
});
