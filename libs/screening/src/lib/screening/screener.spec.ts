import * as path from 'node:path';
import { loadWatchlists, type LoadedWatchlists } from '../loading/load-watchlists';
import type { WatchlistEntry } from '../watchlist/watchlist-entry';
import { WatchlistIndex } from '../watchlist/watchlist-index';
import { Screener } from './screener';
import type { ScreeningQuery, ScreeningResult } from './screening-result';

const SAMPLE_DIR = path.resolve(__dirname, '../../../../../data/watchlists/sample');

describe('Screener on the sample watchlists', () => {
  let loaded: LoadedWatchlists;
  let screener: Screener;
  beforeAll(async () => {
    loaded = await loadWatchlists(SAMPLE_DIR);
    screener = new Screener(loaded.index);
  });

  const screen = (query: ScreeningQuery | string): ScreeningResult =>
    screener.screen(typeof query === 'string' ? { fullName: query } : query);
  const hitIds = (result: ScreeningResult): string[] => result.hits.map((hit) => `${hit.list}/${hit.entityId}`);

  it.each([
    ['the exact name', 'Viktor Kovalenko-Drask'],
    ['a typo', 'Viktor Kovalenko-Drsak'],
    ['swapped tokens', 'Drask Viktor Kovalenko'],
    ['the OFAC LAST, First form', 'KOVALENKO-DRASK, Viktor'],
    ['Cyrillic script', 'Виктор Коваленко-Драск'],
    ['an initial', 'V. Kovalenko-Drask'],
  ])('flags Viktor Kovalenko-Drask on both lists from %s', (_, fullName) => {
    const result = screen(fullName);
    expect(result.outcome).not.toBe('clear');
    expect(hitIds(result)).toEqual(expect.arrayContaining(['opensanctions/fict-0001', 'ofac-sdn/10001']));
  });

  it('finds a person whose middle name the query leaves out', () => {
    expect(hitIds(screen('Dmitri Ostrogradnikov'))).toContain('opensanctions/fict-0011');
  });

  it('finds accented names from unaccented input and the reverse', () => {
    expect(hitIds(screen('Jozef Wrzosowiecki'))).toContain('opensanctions/fict-0005');
    expect(hitIds(screen('Sören Kjeldgaard Ulv'))).toContain('opensanctions/fict-0007');
  });

  it('finds an Arabic-script query under its Latin name and a romanised query under its Arabic alias', () => {
    expect(hitIds(screen('طارق الزندوري'))).toEqual(expect.arrayContaining(['opensanctions/fict-0002', 'ofac-sdn/10002']));
    expect(hitIds(screen('Tarek Al Zandouri'))).toEqual(expect.arrayContaining(['opensanctions/fict-0002', 'ofac-sdn/10002']));
  });

  it.each(['Qiao Lan Feng', 'Lanfeng Qiao', 'Qiao Lan-feng', '乔岚峰'])('finds Qiao Lanfeng written as %s', (fullName) => {
    const result = screen(fullName);
    expect(result.hits[0]?.entityId).toBe('fict-0003');
    expect(result.outcome).toBe('match');
  });

  it('ignores honorifics in the query and on the list', () => {
    expect(hitIds(screen('Nasir Fahd Al Murtabani'))).toContain('opensanctions/fict-0029');
  });

  it('says which alias matched and why', () => {
    const [hit] = screen({ fullName: 'Boris Ermolenkov', dateOfBirth: '1959', nationality: 'RU' }).hits;
    expect(hit).toMatchObject({ entityId: 'fict-0004', entityName: 'Boris Yermolenkov', schema: 'Person' });
    expect(hit.breakdown.dob).toBeGreaterThan(0);
    expect(hit.breakdown.country).toBeGreaterThan(0);
    expect(hit.score).toBeGreaterThan(hit.breakdown.name - 0.0001);
  });

  it('raises the score for an exact date of birth and lowers it for a clearly different one', () => {
    const score = (dateOfBirth?: string): number => screen({ fullName: 'Olena Pryhodzhenko', dateOfBirth }).hits[0]?.score ?? 0;
    expect(score('1988-08-08')).toBeGreaterThanOrEqual(score());
    expect(score('1950-01-01')).toBeLessThan(score());
    expect(score('1988')).toBeLessThan(score('1988-08-08') + 0.0001);
  });

  it('treats a listed document number as decisive, whatever the name', () => {
    const result = screen({ fullName: 'Somebody Else Entirely', documentNumber: 'zx 447-1902' });
    expect(result.outcome).toBe('match');
    expect(result.score).toBe(1);
    expect(result.hits.every((hit) => hit.breakdown.identifier)).toBe(true);
    expect(hitIds(result)).toEqual(expect.arrayContaining(['opensanctions/fict-0001', 'ofac-sdn/10001']));
  });

  it('clears a name that is on no list', () => {
    const result = screen({ fullName: 'Henrietta Oddbody', dateOfBirth: '1990-01-01' });
    expect(result.outcome).toBe('clear');
    expect(result.hits).toEqual([]);
  });

  it('derives the outcome from the configured thresholds', () => {
    const query = { fullName: 'Tarik Zandury' };
    const score = screen(query).score;
    const at = (review: number, match: number): string => new Screener(loaded.index, { thresholds: { review, match } }).screen(query).outcome;
    expect(at(score, score)).toBe('match');
    expect(at(score - 0.01, score + 0.01)).toBe('review');
    expect(at(Math.min(1, score + 0.01), 1)).toBe('clear');
    expect(() => new Screener(loaded.index, { thresholds: { review: 0.9, match: 0.8 } })).toThrow(RangeError);
  });

  it('leaves out suppressed entities, by bare id or by list/id', () => {
    const everything = hitIds(screen('Viktor Kovalenko-Drask'));
    const bare = hitIds(screener.screen({ fullName: 'Viktor Kovalenko-Drask' }, { suppressedEntityIds: ['fict-0001'] }));
    const qualified = hitIds(screener.screen({ fullName: 'Viktor Kovalenko-Drask' }, { suppressedEntityIds: ['ofac-sdn/10001'] }));
    expect(everything).toEqual(expect.arrayContaining(['opensanctions/fict-0001', 'ofac-sdn/10001']));
    expect(bare).not.toContain('opensanctions/fict-0001');
    expect(bare).toContain('ofac-sdn/10001');
    expect(qualified).toEqual(['opensanctions/fict-0001']);
  });

  it('screens against a subset of lists when asked', () => {
    const result = screener.screen({ fullName: 'Viktor Kovalenko-Drask' }, { lists: ['ofac-sdn'] });
    expect(hitIds(result)).toEqual(['ofac-sdn/10001']);
  });

  it('records the list versions and the algorithm that produced the result', () => {
    const result = screen('Viktor Kovalenko-Drask');
    expect(result.listVersions).toEqual(loaded.versions);
    expect(result.algorithm).toEqual({ name: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  });
});

describe('Screener ranking of namesakes', () => {
  const person = (entityId: string, names: string[], birthDates: string[] = [], countries: string[] = []): WatchlistEntry => ({
    list: 'opensanctions', entityId, names, schema: 'Person', birthDates, countries, identifiers: [], datasets: [],
  });

  it('puts first the namesake whose birth date and country agree, even when every score is capped at 1', () => {
    // Both names agree exactly (score 1 before any adjustment); only the second entry's birth
    // date and country agree with the query, which a capped score alone would not show.
    const index = WatchlistIndex.build([
      person('no-dob', ['Tang Ming']),
      person('agrees', ['Tang Ming'], ['1969-03-02'], ['CN']),
      person('year-apart', ['Tang Ming'], ['1970']),
    ]);
    const result = new Screener(index).screen({ fullName: 'Táng Ming', dateOfBirth: '1969', nationality: 'CN' });
    expect(result.hits.map((hit) => hit.entityId)).toEqual(['agrees', 'no-dob', 'year-apart']);
    expect(result.hits[0].score).toBe(1);
    expect(result.hits[1].score).toBe(1);
  });
});
