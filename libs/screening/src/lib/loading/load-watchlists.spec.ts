import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadWatchlists } from './load-watchlists';

const SAMPLE_DIR = path.resolve(__dirname, '../../../../../data/watchlists/sample');
const HEADER =
  'id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset,first_seen,last_seen,last_change';

describe('loadWatchlists', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'watchlists-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the shipped sample lists without problems and versions each by the SHA-256 of its bytes', async () => {
    const loaded = await loadWatchlists(SAMPLE_DIR, { now: () => new Date('2025-01-01T00:00:00Z') });
    expect(loaded.problems).toEqual([]);
    const opensanctions = loaded.versions.find((v) => v.list === 'opensanctions');
    const bytes = readFileSync(path.join(SAMPLE_DIR, 'targets.simple.csv'));
    expect(opensanctions).toEqual({
      list: 'opensanctions',
      contentHash: createHash('sha256').update(bytes).digest('hex'),
      loadedAt: '2025-01-01T00:00:00.000Z',
      entryCount: bytes.toString('utf8').trim().split('\n').length - 1,
      files: ['targets.simple.csv'],
    });
    const ofac = loaded.versions.find((v) => v.list === 'ofac-sdn');
    expect(ofac?.files).toEqual(['sdn.csv', 'alt.csv']);
    expect(loaded.index.size).toBe(loaded.versions.reduce((sum, v) => sum + v.entryCount, 0));
  });

  it('reports a broken row by file and line, skips it and loads the rest (BOM and CRLF included)', async () => {
    const rows = [HEADER, 'p1,Person,Ann Fictional,,,,,,,,,,,,', 'p2,Person,"Bob Unclosed,,,,,,,,,,,,,', 'p3,Person,Cy Fictional,,,,,,,,,,,,'];
    writeFileSync(path.join(dir, 'targets.simple.csv'), '\uFEFF' + rows.join('\r\n') + '\r\n');
    const loaded = await loadWatchlists(dir);
    expect(loaded.problems).toEqual([{ file: 'targets.simple.csv', line: 3, reason: 'unterminated quoted field' }]);
    expect(loaded.versions[0].entryCount).toBe(2);
  });

  it('reports, and does not throw for, a missing directory', async () => {
    const loaded = await loadWatchlists(path.join(dir, 'nope'));
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0].reason).toMatch(/cannot read watchlist directory: ENOENT/);
    expect(loaded.index.size).toBe(0);
  });

  it('reports an empty file, an unrecognised CSV and an unreadable file, and still loads the good list', async () => {
    writeFileSync(path.join(dir, 'empty.csv'), '');
    writeFileSync(path.join(dir, 'prices.csv'), 'sku,price\n1,2\n');
    mkdirSync(path.join(dir, 'folder.csv'));
    writeFileSync(path.join(dir, 'eu.csv'), `${HEADER}\np1,Person,Ann Fictional,,,,,,,,,,,,\n`);
    writeFileSync(path.join(dir, 'README.md'), 'not a list');
    const loaded = await loadWatchlists(dir);
    expect(loaded.problems.map((p) => [p.file, p.reason.split(':')[0]])).toEqual([
      ['empty.csv', 'file is empty'],
      ['folder.csv', 'cannot read file'],
      ['prices.csv', 'not a recognised watchlist format (OpenSanctions header or sdn.csv)'],
    ]);
    expect(loaded.versions.map((v) => [v.list, v.entryCount])).toEqual([['eu', 1]]);
  });

  it('reports OFAC aliases without an sdn.csv instead of dropping them silently', async () => {
    writeFileSync(path.join(dir, 'alt.csv'), '1,1,"aka","X, Y",-0- \n');
    const loaded = await loadWatchlists(dir);
    expect(loaded.problems).toEqual([{ file: 'alt.csv', reason: 'OFAC file without sdn.csv: ignored' }]);
  });

  it('gives a changed file a new content hash', async () => {
    const list = path.join(dir, 'targets.simple.csv');
    writeFileSync(list, `${HEADER}\np1,Person,Ann Fictional,,,,,,,,,,,,\n`);
    const before = await loadWatchlists(dir);
    writeFileSync(list, `${HEADER}\np1,Person,Ann Fictional,,,,,,,,,,,,\np2,Person,Bob Fictional,,,,,,,,,,,,\n`);
    const after = await loadWatchlists(dir);
    expect(after.versions[0].contentHash).not.toBe(before.versions[0].contentHash);
    expect(after.versions[0].entryCount).toBe(2);
  });
});

describe('loadWatchlists on a large file with a broken row far down', () => {
  it('loads every good row once, after the streamed read gave way to the careful one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'watchlists-'));
    try {
      const rows = [HEADER];
      for (let i = 0; i < 3_000; i++) rows.push(`p${i},Person,Person Number${i} Fictional,,,,,,,,,,,,`);
      rows.splice(2_500, 0, 'bad,Person,"Unclosed quote,,,,,,,,,,,,,');
      writeFileSync(path.join(dir, 'targets.simple.csv'), rows.join('\n') + '\n');
      const loaded = await loadWatchlists(dir);
      expect(loaded.problems).toEqual([{ file: 'targets.simple.csv', line: 2_501, reason: 'unterminated quoted field' }]);
      expect(loaded.index.size).toBe(3_000);
      expect(new Set(Array.from({ length: loaded.index.size }, (_, i) => loaded.index.entityId(i))).size).toBe(3_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
