import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadWatchlists } from '../loading/load-watchlists';
import { readOpenSanctions } from '../loading/opensanctions-reader';
import { openSanctionsRow, writeOpenSanctionsCsv } from './opensanctions-csv-writer';
import { generateSyntheticWatchlist, syntheticWatchlistEntries } from './synthetic-watchlist';

describe('writeOpenSanctionsCsv', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'os-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a file the loader reads back entry for entry, aliases, dates, countries and ids included', async () => {
    const entries = generateSyntheticWatchlist({ count: 1_500, seed: 5, list: 'opensanctions' });
    const file = path.join(dir, 'targets.simple.csv');
    await expect(writeOpenSanctionsCsv(file, syntheticWatchlistEntries({ count: 1_500, seed: 5, list: 'opensanctions' }))).resolves.toBe(1_500);
    const loaded = await loadWatchlists(dir);
    expect(loaded.problems).toEqual([]);
    expect(loaded.versions.map((v) => [v.list, v.entryCount, v.files])).toEqual([['opensanctions', 1_500, ['targets.simple.csv']]]);
    expect(loaded.index.size).toBe(entries.length);
    for (let i = 0; i < entries.length; i++) expect(loaded.index.entry(i).entry).toEqual(entries[i]);
    expect(entries.some((e) => e.names.length > 1) && entries.some((e) => e.identifiers.length > 0)).toBe(true);
  });

  it('streams the same entries as the whole-text reader reads', async () => {
    const file = path.join(dir, 'eu.csv');
    await writeOpenSanctionsCsv(file, syntheticWatchlistEntries({ count: 300, seed: 9, list: 'eu' }));
    const whole = readOpenSanctions(readFileSync(file, 'utf8'), 'eu.csv', 'eu');
    const loaded = await loadWatchlists(dir);
    expect(whole.problems).toEqual([]);
    expect(whole.entries.map((_, i) => loaded.index.entry(i).entry)).toEqual(whole.entries);
  });

  it('quotes a cell holding a comma or a quote so the columns stay in place', () => {
    const row = openSanctionsRow({
      list: 'x', entityId: 'e1', names: ['Acme, "Best" Trading'], schema: 'Company',
      birthDates: [], countries: ['ru', 'by'], identifiers: [], datasets: ['d'],
    });
    const { entries, problems } = readOpenSanctions(`id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset,first_seen,last_seen,last_change\n${row}\n`, 'x.csv', 'x');
    expect(problems).toEqual([]);
    expect(entries[0].names).toEqual(['Acme, "Best" Trading']);
    expect(entries[0].countries).toEqual(['ru', 'by']);
  });
});
