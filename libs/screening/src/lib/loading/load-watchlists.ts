/**
 * Loads every watchlist file in a directory. Nothing in here throws for bad data: an unreadable
 * or malformed file, or a broken row, becomes a LoadProblem and the remaining lists still load,
 * because screening against most of a list beats not screening at all. The caller decides
 * whether problems are acceptable (the service logs and alerts on them).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { ListVersion, LoadProblem } from '../watchlist/watchlist-entry';
import { WatchlistIndexBuilder, type WatchlistIndex } from '../watchlist/watchlist-index';
import { cleanCsvText, streamCsvFile, type CsvStreamOutcome } from './csv-records';
import { OFAC_LIST, readOfacSdn, type OfacFiles } from './ofac-sdn-reader';
import { isOpenSanctionsHeader, OpenSanctionsRows, readOpenSanctions, type ListReadResult } from './opensanctions-reader';
import { parse } from 'csv-parse/sync';

export interface LoadedWatchlists {
  index: WatchlistIndex;
  versions: ListVersion[];
  problems: LoadProblem[];
}

export interface LoadOptions {
  /** Clock for `loadedAt` (tests pin it). */
  now?: () => Date;
}

const OPENSANCTIONS_FILE = 'targets.simple.csv';
const OFAC_FILES = ['sdn.csv', 'alt.csv', 'add.csv'] as const;

interface FileContent {
  file: string;
  bytes: Buffer;
  text: string;
}

export async function loadWatchlists(dir: string, options: LoadOptions = {}): Promise<LoadedWatchlists> {
  // Files are streamed into the index; one that turns out malformed half-way is read again,
  // from the start of the whole load, the careful way (whole text, bad rows isolated).
  const careful = new Set<string>();
  for (;;) {
    const attempt = await loadOnce(dir, options, careful);
    if ('index' in attempt) return attempt;
    careful.add(attempt.readCarefully);
  }
}

async function loadOnce(dir: string, options: LoadOptions, careful: ReadonlySet<string>): Promise<LoadedWatchlists | { readCarefully: string }> {
  const now = options.now ?? (() => new Date());
  const problems: LoadProblem[] = [];
  const versions: ListVersion[] = [];
  const builder = new WatchlistIndexBuilder();
  const accept = (list: string, files: FileContent[], result: ListReadResult): void => {
    problems.push(...result.problems);
    for (const entry of result.entries) builder.add(entry);
    versions.push({
      list,
      contentHash: contentHash(files),
      loadedAt: now().toISOString(),
      entryCount: result.entries.length,
      files: files.map((f) => f.file),
    });
  };
  const names = await listCsvFiles(dir, problems);
  const ofac = await readOfacGroup(dir, names, problems);
  if (ofac) accept(OFAC_LIST, ofac.contents, guarded(ofac.files.sdn.file, () => readOfacSdn(ofac.files)));
  for (const name of names.filter((n) => !OFAC_FILES.includes(n.toLowerCase() as (typeof OFAC_FILES)[number]))) {
    const list = name.toLowerCase() === OPENSANCTIONS_FILE ? 'opensanctions' : name.replace(/\.csv$/i, '');
    if (!careful.has(name)) {
      const streamed = await streamOpenSanctions(dir, name, list, builder);
      if (streamed === 'read carefully') return { readCarefully: name };
      if (streamed.problem) problems.push(streamed.problem);
      if (streamed.rows) {
        problems.push(...streamed.rows.problems);
        versions.push({ list, contentHash: streamed.contentHash, loadedAt: now().toISOString(), entryCount: streamed.entryCount, files: [name] });
      }
      continue;
    }
    const content = await readWatchlistFile(dir, name, problems);
    if (!content) continue;
    if (!isOpenSanctionsHeader(firstRecord(content.text))) {
      problems.push({ file: name, reason: NOT_A_WATCHLIST });
      continue;
    }
    accept(list, [content], guarded(name, () => readOpenSanctions(content.text, name, list)));
  }
  return { index: builder.build(versions), versions, problems };
}

const NOT_A_WATCHLIST = 'not a recognised watchlist format (OpenSanctions header or sdn.csv)';

type StreamedList =
  | { problem: LoadProblem; rows?: undefined }
  | { problem?: undefined; rows: OpenSanctionsRows; contentHash: string; entryCount: number };

/**
 * Streams an OpenSanctions-format file row by row into the index: a full export is hundreds of
 * megabytes, and neither its text nor a million entry objects need to be held at once.
 */
async function streamOpenSanctions(
  dir: string,
  name: string,
  list: string,
  builder: WatchlistIndexBuilder,
): Promise<StreamedList | 'read carefully'> {
  const file = path.join(dir, name);
  try {
    const stats = await stat(file);
    if (!stats.isFile()) return 'read carefully';
    if (stats.size === 0) return { problem: { file: name, reason: 'file is empty' } };
  } catch (error) {
    return { problem: { file: name, reason: `cannot read file: ${describe(error)}` } };
  }
  const rows = new OpenSanctionsRows(name, list);
  let sawHeader = false;
  let recognised = false;
  let entryCount = 0;
  let outcome: CsvStreamOutcome;
  try {
    outcome = await streamCsvFile(file, ({ line, fields }) => {
      if (!sawHeader) {
        sawHeader = true;
        recognised = isOpenSanctionsHeader(fields) && rows.header(fields);
        return recognised;
      }
      const entry = rows.row(line, fields);
      if (entry) {
        builder.add(entry);
        entryCount += 1;
      }
      return true;
    });
  } catch {
    return 'read carefully';
  }
  if (outcome.status === 'malformed') return 'read carefully';
  if (!recognised || outcome.status !== 'complete') return { problem: { file: name, reason: NOT_A_WATCHLIST } };
  return { rows, contentHash: outcome.contentHash, entryCount };
}

/** A reader bug on one file must not cost the other lists: it becomes that file's problem. */
function guarded(file: string, read: () => ListReadResult): ListReadResult {
  try {
    return read();
  } catch (error) {
    return { entries: [], problems: [{ file, reason: `could not be read: ${describe(error)}` }] };
  }
}

function contentHash(files: FileContent[]): string {
  const hash = createHash('sha256');
  for (const { bytes } of files) hash.update(bytes);
  return hash.digest('hex');
}

async function listCsvFiles(dir: string, problems: LoadProblem[]): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((name) => name.toLowerCase().endsWith('.csv')).sort();
  } catch (error) {
    problems.push({ file: dir, reason: `cannot read watchlist directory: ${describe(error)}` });
    return [];
  }
}

async function readWatchlistFile(dir: string, file: string, problems: LoadProblem[]): Promise<FileContent | undefined> {
  try {
    const bytes = await readFile(path.join(dir, file));
    if (bytes.length === 0) {
      problems.push({ file, reason: 'file is empty' });
      return undefined;
    }
    return { file, bytes, text: bytes.toString('utf8') };
  } catch (error) {
    problems.push({ file, reason: `cannot read file: ${describe(error)}` });
    return undefined;
  }
}

async function readOfacGroup(
  dir: string,
  names: string[],
  problems: LoadProblem[],
): Promise<{ files: OfacFiles; contents: FileContent[] } | undefined> {
  const find = (wanted: string): string | undefined => names.find((name) => name.toLowerCase() === wanted);
  const [sdnName, altName, addName] = OFAC_FILES.map(find);
  if (!sdnName) {
    for (const orphan of [altName, addName].filter(Boolean)) {
      problems.push({ file: orphan as string, reason: 'OFAC file without sdn.csv: ignored' });
    }
    return undefined;
  }
  const sdn = await readWatchlistFile(dir, sdnName, problems);
  if (!sdn) return undefined;
  const alt = altName ? await readWatchlistFile(dir, altName, problems) : undefined;
  const add = addName ? await readWatchlistFile(dir, addName, problems) : undefined;
  const contents = [sdn, alt, add].filter((c): c is FileContent => c !== undefined);
  return { files: { sdn, alt, add }, contents };
}

/** The header row only, read leniently: the full reader reports the file's row problems later. */
function firstRecord(text: string): string[] {
  try {
    const rows = parse(cleanCsvText(text), { to_line: 1, relax_column_count: true, relax_quotes: true }) as string[][];
    return rows[0] ?? [];
  } catch {
    return [];
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
