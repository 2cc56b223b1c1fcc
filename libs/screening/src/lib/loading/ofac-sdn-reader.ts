/**
 * OFAC SDN list in its legacy CSV form: headerless `sdn.csv` (one row per party), `alt.csv`
 * (aliases) and optionally `add.csv` (addresses), linked by `ent_num`. OFAC writes `-0-` for an
 * empty cell.
 */
import type { LoadProblem, WatchlistEntry } from '../watchlist/watchlist-entry';
import { readCsvRecords, type CsvRecord } from './csv-records';
import { parseOfacRemarks } from './ofac-remarks';
import type { ListReadResult } from './opensanctions-reader';

export const OFAC_LIST = 'ofac-sdn';

export interface OfacFiles {
  sdn: { file: string; text: string };
  alt?: { file: string; text: string };
  add?: { file: string; text: string };
}

const SDN_COLUMNS = 12; // ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
const ALT_COLUMNS = 5; // ent_num, alt_num, alt_type, alt_name, alt_remarks
const ADD_COLUMNS = 6; // ent_num, add_num, address, city/state/zip, country, add_remarks

function ofacValue(cell: string | undefined): string {
  const value = (cell ?? '').trim();
  return value === '-0-' ? '' : value;
}

/** Programs come as `SDGT] [IRGC`: brackets separate several programs in one cell. */
function ofacPrograms(cell: string): string[] {
  return cell.split(/\]\s*\[/).map((program) => program.replace(/[[\]]/g, '').trim()).filter(Boolean);
}

function readRows(
  source: { file: string; text: string },
  columns: number,
  problems: LoadProblem[],
): { line: number; values: string[] }[] {
  const { records, problems: rowProblems } = readCsvRecords(source.text);
  problems.push(...rowProblems.map((problem) => ({ file: source.file, ...problem })));
  const rows: { line: number; values: string[] }[] = [];
  for (const { line, fields } of records as CsvRecord[]) {
    const values = fields.map(ofacValue);
    if (fields.length !== columns) {
      problems.push({ file: source.file, line, reason: `expected ${columns} columns, found ${fields.length}` });
    } else if (!/^\d+$/.test(values[0])) {
      problems.push({ file: source.file, line, reason: `ent_num is not a number: "${fields[0]}"` });
    } else rows.push({ line, values });
  }
  return rows;
}

function toEntry(values: string[]): WatchlistEntry {
  const [entNum, name, type, program, , , , , , vesselFlag, , remarks] = values;
  const facts = parseOfacRemarks(remarks);
  return {
    list: OFAC_LIST,
    entityId: entNum,
    names: [name],
    schema: type.toLowerCase() || 'entity',
    birthDates: facts.birthDates,
    countries: vesselFlag ? [...facts.countries, vesselFlag] : facts.countries,
    identifiers: facts.identifiers,
    datasets: ofacPrograms(program),
  };
}

export function readOfacSdn(files: OfacFiles): ListReadResult {
  const problems: LoadProblem[] = [];
  const byEntNum = new Map<string, WatchlistEntry>();
  for (const { line, values } of readRows(files.sdn, SDN_COLUMNS, problems)) {
    if (values[1] === '') problems.push({ file: files.sdn.file, line, reason: `missing SDN_Name for ${values[0]}` });
    else if (byEntNum.has(values[0])) problems.push({ file: files.sdn.file, line, reason: `duplicate ent_num ${values[0]}` });
    else byEntNum.set(values[0], toEntry(values));
  }
  const linked = (file: string, line: number, entNum: string): WatchlistEntry | undefined => {
    const entry = byEntNum.get(entNum);
    if (!entry) problems.push({ file, line, reason: `no SDN entry with ent_num ${entNum}` });
    return entry;
  };
  if (files.alt) {
    for (const { line, values } of readRows(files.alt, ALT_COLUMNS, problems)) {
      const alias = values[3];
      if (alias === '') problems.push({ file: files.alt.file, line, reason: 'missing alt_name' });
      else linked(files.alt.file, line, values[0])?.names.push(alias);
    }
  }
  if (files.add) {
    for (const { line, values } of readRows(files.add, ADD_COLUMNS, problems)) {
      const country = values[4];
      if (country !== '') linked(files.add.file, line, values[0])?.countries.push(country);
    }
  }
  return { entries: [...byEntNum.values()], problems };
}
