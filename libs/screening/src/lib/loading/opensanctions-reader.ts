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

export function readOpenSanctions(text: string, file: string, list: string): ListReadResult {
  const { records, problems: rowProblems } = readCsvRecords(text);
  const problems: LoadProblem[] = rowProblems.map((problem) => ({ file, ...problem }));
  const [header, ...rows] = records;
  if (!header || !isOpenSanctionsHeader(header.fields)) {
    problems.push({ file, reason: 'missing OpenSanctions header (id, schema, name, ...)' });
    return { entries: [], problems };
  }
  const columns = header.fields.map((field) => field.trim().toLowerCase());
  const cell = (fields: string[], column: string): string | undefined => fields[columns.indexOf(column)];
  const entries: WatchlistEntry[] = [];
  const seen = new Set<string>();
  for (const { line, fields } of rows) {
    const reject = (reason: string): void => void problems.push({ file, line, reason });
    if (fields.length !== columns.length) {
      reject(`expected ${columns.length} columns, found ${fields.length}`);
      continue;
    }
    const id = cell(fields, 'id')?.trim() ?? '';
    const name = cell(fields, 'name')?.trim() ?? '';
    if (id === '') reject('missing id');
    else if (name === '') reject(`missing name for ${id}`);
    else if (seen.has(id)) reject(`duplicate id ${id}`);
    if (id === '' || name === '' || seen.has(id)) continue;
    seen.add(id);
    entries.push({
      list,
      entityId: id,
      names: [name, ...splitMultiValue(cell(fields, 'aliases')).filter((alias) => alias !== name)],
      schema: cell(fields, 'schema')?.trim() || 'Thing',
      birthDates: splitMultiValue(cell(fields, 'birth_date')),
      countries: splitMultiValue(cell(fields, 'countries')),
      identifiers: splitMultiValue(cell(fields, 'identifiers')),
      datasets: splitMultiValue(cell(fields, 'dataset')),
    });
  }
  return { entries, problems };
}
