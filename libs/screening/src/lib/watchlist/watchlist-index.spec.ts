import { generateSyntheticWatchlist } from '../evaluation/synthetic-watchlist';
import { Screener } from '../screening/screener';
import { WatchlistIndex } from './watchlist-index';

describe('WatchlistIndex', () => {
  const entries = generateSyntheticWatchlist({ count: 20_000, seed: 7 });
  const index = WatchlistIndex.build(entries);
  const screener = new Screener(index);
  const people = entries.filter((entry) => entry.schema === 'Person').slice(0, 50);

  it('compares a query with a few dozen blocked candidates, not with every name on the list', () => {
    for (const entry of people) {
      const result = screener.screen({ fullName: entry.names[0] });
      expect(result.namesCompared).toBeLessThanOrEqual(screener.settings.candidateLimit);
      expect(result.namesCompared).toBeLessThan(index.nameCount / 100);
    }
  });

  it('still retrieves the listed entry when the query has a typo in every long token', () => {
    const typo = (word: string): string => (word.length < 6 ? word : word.slice(0, 3) + word[4] + word[3] + word.slice(5));
    const found = people.filter((entry) => {
      const fullName = entry.names[0].split(' ').map(typo).join(' ');
      return screener.screen({ fullName }).hits.some((hit) => hit.entityId === entry.entityId);
    });
    expect(found.length / people.length).toBeGreaterThan(0.9);
  });

  it('weighs a common given name below a rare surname', () => {
    const common = entries.filter((entry) => entry.names[0].startsWith('Mohammed ')).length;
    expect(common).toBeGreaterThan(10);
    const surname = people[0].names[0].split(' ').slice(-1)[0].toLowerCase();
    expect(index.tokenWeight('mohammed')).toBeLessThan(index.tokenWeight(surname));
  });

  it('finds a name made of common tokens even when a rare spelling of one of them is listed', () => {
    // "li" and "wei" each in more names than a fuzzy lookup reads; "weii" is a rare spelling
    // alike to "wei", so the query's rarer side finds names and the common side only adds to them.
    const syllables = (i: number): string => `${'bcdfghjkmnpqrstvxz'[i % 18]}${'aeiou'[Math.floor(i / 18) % 5]}${'lmnr'[Math.floor(i / 90) % 4]}${'aeiou'[Math.floor(i / 360) % 5]}`;
    const crowd = Array.from({ length: 700 }, (_, i) => [`Li ${syllables(i)}`, `${syllables(i)} Wei`]).flat();
    const names = [...crowd, 'Weii Zhou', 'Li Wei'];
    const common = WatchlistIndex.build(names.map((name, i) => ({ ...entries[0], entityId: `c-${i}`, names: [name], identifiers: [] })));
    const hits = new Screener(common).screen({ fullName: 'Wei Li' }).hits;
    expect(hits[0]).toMatchObject({ entityName: 'Li Wei', score: 1 });
  });

  describe('among many bearers of one surname', () => {
    // 50 "Peter Keaxdairetti", one "Hans Keaxdairetti" and one "Antonio Keaxdairetti"; "peter",
    // "hans" and "antonio" are each in more names than a fuzzy lookup reads, "peter" the most
    // common, so the Peters rank first on the surname alone and fill the candidates.
    const surname = (i: number): string => `${'bcdfghjkmnpqrstvxz'[i % 18]}${'aeiou'[Math.floor(i / 18) % 5]}${'lmnr'[Math.floor(i / 90) % 4]}${'aeiou'[Math.floor(i / 360) % 5]}`;
    const names = [
      ...Array.from({ length: 1_200 }, (_, i) => `Peter ${surname(i)}ski`),
      ...Array.from({ length: 600 }, (_, i) => `Hans ${surname(i)}berg`),
      ...Array.from({ length: 600 }, (_, i) => `Antonio ${surname(i)}ez`),
      ...Array.from({ length: 50 }, () => 'Peter Keaxdairetti'),
      'Hans Keaxdairetti',
      'Antonio Keaxdairetti',
    ];
    const crowd = WatchlistIndex.build(names.map((name, i) => ({ ...entries[0], entityId: `s-${i}`, names: [name], identifiers: [], birthDates: [], countries: [] })));
    const crowdScreener = new Screener(crowd);
    const topName = (fullName: string): string | undefined => crowdScreener.screen({ fullName }).hits[0]?.entityName;

    it('finds the one whose common given name the query misspells (Haans for Hans)', () => {
      expect(topName('Haans Keaxdairetti')).toBe('Hans Keaxdairetti');
    });

    it('finds the one whose given name agrees with the query initial (A. for Antonio)', () => {
      expect(topName('A. Keaxdairetti')).toBe('Antonio Keaxdairetti');
    });
  });

  it('finds entries by normalised document number', () => {
    const withDocument = entries.find((entry) => entry.identifiers.length > 0);
    if (!withDocument) throw new Error('the synthetic list should contain document numbers');
    const messy = withDocument.identifiers[0].toLowerCase().replace(/(\d{3})/, '$1-');
    expect(index.entriesWithDocument(messy).map((i) => index.entry(i).entry.entityId)).toEqual([withDocument.entityId]);
  });

  it('finds an entry by its list and id, as the list wrote it, and nothing for an id of another list', () => {
    const withAliases = entries.find((entry) => entry.names.length > 1 && entry.birthDates.length > 0);
    if (!withAliases) throw new Error('the synthetic list should contain aliases and birth dates');
    expect(index.findEntry(withAliases.list, withAliases.entityId)).toEqual(withAliases);
    expect(index.findEntry('another-list', withAliases.entityId)).toBeUndefined();
    expect(index.findEntry(withAliases.list, `${withAliases.entityId}-unknown`)).toBeUndefined();
    const twoLists = WatchlistIndex.build([
      { ...withAliases, list: 'second-list', names: ['Other Person'] },
      withAliases,
    ]);
    expect(twoLists.findEntry(withAliases.list, withAliases.entityId)?.names).toEqual(withAliases.names);
    expect(twoLists.findEntry('second-list', withAliases.entityId)?.names).toEqual(['Other Person']);
  });
});
