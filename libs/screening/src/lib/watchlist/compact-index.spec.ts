import { prepareToken } from '../matching/prepared-name';
import { EntryStore } from './entry-store';
import { Int32Buffer, postingsFromPairs } from './int32-buffer';
import { TokenVocabulary } from './token-vocabulary';
import type { WatchlistEntry } from './watchlist-entry';
import { WatchlistIndex } from './watchlist-index';

const entry = (entityId: string, names: string[], extra: Partial<WatchlistEntry> = {}): WatchlistEntry => ({
  list: 'test', entityId, names, schema: 'Person', birthDates: [], countries: [], identifiers: [], datasets: [], ...extra,
});

describe('postingsFromPairs', () => {
  it('groups values by row, keeping their order within a row', () => {
    const rows = new Int32Buffer(2);
    const values = new Int32Buffer(2);
    for (const [row, value] of [[2, 10], [0, 11], [2, 12], [0, 13], [2, 14]]) {
      rows.push(row);
      values.push(value);
    }
    const { offsets, values: out } = postingsFromPairs(rows, values, 4);
    expect([...offsets]).toEqual([0, 2, 2, 5, 5]);
    expect([...out]).toEqual([11, 13, 10, 12, 14]);
  });
});

describe('EntryStore', () => {
  it('gives every entry back as it was added, shared cells interned once', () => {
    const store = new EntryStore();
    const first = entry('a1', ['Ann Fictional', 'Anna Fictional'], { birthDates: ['1970-01-02', '1971'], countries: ['ua', 'Ukraine'], identifiers: ['X1'], datasets: ['d1', 'd2'] });
    const second = entry('a2', ['Bob Fictional'], { birthDates: ['1970-01-02', '1971'], countries: ['ua', 'Ukraine'], datasets: ['d1', 'd2'] });
    store.add(first);
    store.add(second);
    expect(store.entry(0)).toEqual(first);
    expect(store.entry(1)).toEqual(second);
    expect(store.name(0, 1)).toBe('Anna Fictional');
    expect(store.parsedBirthDates(1)).toBe(store.parsedBirthDates(0));
    expect([...store.normalisedCountries(0)]).toEqual(['ua']);
  });
});

describe('TokenVocabulary.neighbours', () => {
  const vocabulary = new TokenVocabulary();
  const words = ['kovalenko', 'muhammad', 'mhmd', 'petrovsky', 'smith', 'zanduri'];
  for (const word of words) vocabulary.intern(word);
  vocabulary.freeze(() => 1, words.length);
  const neighbours = (text: string): string[] => [...vocabulary.neighbours(prepareToken(text)).ids].map((id) => vocabulary.text(id)).sort();

  it('finds the listed token one typing slip away (substitution, deletion, swap)', () => {
    expect(neighbours('kovalemko')).toContain('kovalenko');
    expect(neighbours('kovaenko')).toContain('kovalenko');
    expect(neighbours('kvoalenko')).toContain('kovalenko');
  });

  it('finds transliteration variants by sound and by consonant skeleton', () => {
    expect(neighbours('mohammed')).toEqual(expect.arrayContaining(['muhammad', 'mhmd']));
  });

  it('leaves out tokens that are not alike', () => {
    expect(neighbours('kovalenko')).toEqual(['kovalenko']);
    expect(neighbours('smyth')).not.toContain('zanduri');
  });
});

describe('WatchlistIndex candidates', () => {
  it('finds a name made only of common tokens among many names sharing one of them', () => {
    const entries = [entry('target', ['Mohammed Ali'])];
    for (let i = 0; i < 3_000; i++) entries.push(entry(`m${i}`, [`Mohammed Zz${i.toString(36)}qx`]));
    for (let i = 0; i < 3_000; i++) entries.push(entry(`a${i}`, [`Ali Yy${i.toString(36)}qv`]));
    const index = WatchlistIndex.build(entries);
    const found = index.candidates(index.prepareQuery('Ali Mohammed'), 5, () => true);
    expect(found.map((nameId) => index.entityId(index.nameEntryIndex(nameId)))[0]).toBe('target');
  });
});
