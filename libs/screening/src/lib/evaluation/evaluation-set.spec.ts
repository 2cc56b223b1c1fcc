import { normaliseName } from '../normalise/name-normaliser';
import { Screener } from '../screening/screener';
import { WatchlistIndex } from '../watchlist/watchlist-index';
import { generateEvaluationSet } from './evaluation-set';
import { generateSyntheticWatchlist } from './synthetic-watchlist';

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
});

describe('generateEvaluationSet', () => {
  const entries = generateSyntheticWatchlist({ count: 5_000, seed: 11 });
  const cases = generateEvaluationSet(entries, { seed: 12, count: 600 });

  it('is deterministic by seed', () => {
    expect(generateEvaluationSet(entries, { seed: 12, count: 600 })).toEqual(cases);
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

  it('uses only invented names that are on no list for the non-matching queries', () => {
    const listedNames = new Set(entries.flatMap((e) => e.names.map(normaliseName)));
    const invented = cases.filter((c) => !c.expected);
    expect(invented.length).toBeGreaterThan(100);
    expect(invented.every((c) => !listedNames.has(normaliseName(c.query.fullName)))).toBe(true);
  });

  it('lets the default screener reach recall >= 0.95 and precision >= 0.9 on it', () => {
    const screener = new Screener(WatchlistIndex.build(entries));
    let found = 0;
    let flagged = 0;
    let flaggedCorrectly = 0;
    const listed = cases.filter((c) => c.expected);
    for (const c of cases) {
      const result = screener.screen(c.query);
      const expectedId = c.expected?.entityId;
      if (expectedId && result.hits.some((hit) => hit.entityId === expectedId)) found += 1;
      if (result.outcome === 'clear') continue;
      flagged += 1;
      if (expectedId && result.hits[0].entityId === expectedId) flaggedCorrectly += 1;
    }
    expect(found / listed.length).toBeGreaterThanOrEqual(0.95);
    expect(flaggedCorrectly / flagged).toBeGreaterThanOrEqual(0.9);
  });
});
