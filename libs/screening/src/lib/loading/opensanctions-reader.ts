/**
 * OpenSanctions "simple" export (`targets.simple.csv`): one row per entity, a header row, and
 * several values in one cell separated by `;`.
 */
import type { LoadProblem, WatchlistEntry } from '../watchlist/watchlist-entry';
import { readCsvRecords } from './csv-records';

export interface ListReadResult {
  entries: WatchlistEntry[];
  problems: LoadProblem[];
}

const REQUIRED_COLUMNS = ['id', 'name'] as const;

/** Does this header row look like the OpenSanctions simple format? */
export function isOpenSanctionsHeader(fields: readonly string[]): boolean {
  const columns = new Set(fields.map((field) => field.trim().toLowerCase()));
  return REQUIRED_COLUMNS.every((column) => columns.has(column)) && columns.has('schema');
}

export function splitMultiValue(cell: string | undefined): string[] {
  if (cell === undefined) return [];
  return cell.split(';').map((value) => value.trim()).filter((value) => value.length > 0);
}

/**
 * Turns OpenSanctions rows into entries one at a time: the header first, then each row. Used on
 * a whole text (readOpenSanctions) and on a file streamed record by record (loadWatchlists).
 */
export class OpenSanctionsRows {
  readonly problems: LoadProblem[] = [];
  private columns: string[] = [];
  private readonly at = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(private readonly file: string, private readonly list: string) {}

  /** Reads the header row; false (with a problem) when it is not an OpenSanctions header. */
  header(fields: readonly string[]): boolean {
    if (!isOpenSanctionsHeader(fields)) {
      this.problems.push({ file: this.file, reason: 'missing OpenSanctions header (id, schema, name, ...)' });
      return false;
    }
    this.columns = fields.map((field) => field.trim().toLowerCase());
    this.columns.forEach((column, index) => {
      if (!this.at.has(column)) this.at.set(column, index);
    });
    return true;
  }

  /** The entry of one data row, or undefined (with a problem) for a row that cannot be used. */
  row(line: number, fields: string[]): WatchlistEntry | undefined {
    const reject = (reason: string): undefined => void this.problems.push({ file: this.file, line, reason });
    if (fields.length !== this.columns.length) return reject(`expected ${this.columns.length} columns, found ${fields.length}`);
    const cell = (column: string): string | undefined => {
      const index = this.at.get(column);
      return index === undefined ? undefined : fields[index];
    };
    const id = cell('id')?.trim() ?? '';
    const name = cell('name')?.trim() ?? '';
    if (id === '') return reject('missing id');
    if (name === '') return reject(`missing name for ${id}`);
    if (this.seen.has(id)) return reject(`duplicate id ${id}`);
    this.seen.add(id);
    return {
      list: this.list,
      entityId: id,
      names: [name, ...splitMultiValue(cell('aliases')).filter((alias) => alias !== name)],
      schema: cell('schema')?.trim() || 'Thing',
      birthDates: splitMultiValue(cell('birth_date')),
      countries: splitMultiValue(cell('countries')),
      identifiers: splitMultiValue(cell('identifiers')),
      datasets: splitMultiValue(cell('dataset')),
    };
  }
}

export function readOpenSanctions(text: string, file: string, list: string): ListReadResult {
  const { records, problems: rowProblems } = readCsvRecords(text);
  const rows = new OpenSanctionsRows(file, list);
  const problems: LoadProblem[] = rowProblems.map((problem) => ({ file, ...problem }));
  const [header, ...data] = records;
  if (!header || !rows.header(header.fields)) {
    problems.push(...rows.problems);
    return { entries: [], problems };
  }
  const entries: WatchlistEntry[] = [];
  for (const { line, fields } of data) {
    const entry = rows.row(line, fields);
    if (entry) entries.push(entry);
  }
  problems.push(...rows.problems);
  return { entries, problems };
}
