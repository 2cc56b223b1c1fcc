/**
 * Reads a CSV file into records with the physical line each starts on, and never lets one broken
 * row take the rest of the file with it.
 *
 * csv-parse reads well-formed files fast, but after an unterminated quote it swallows every
 * following line into one field. So a file that parses with any error is re-read record by record:
 * each record is framed on physical lines (joining lines only while a quoted field is open, up to
 * a limit), parsed on its own, and a record that still fails is reported and skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';

export interface CsvRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  fields: string[];
}

export interface CsvRowProblem {
  line: number;
  reason: string;
}

export interface CsvReadResult {
  records: CsvRecord[];
  problems: CsvRowProblem[];
}

/** A quoted field spanning more lines than this is taken to be an unterminated quote. */
const MAX_LINES_PER_RECORD = 20;

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'unterminated quoted field',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected character after a closing quote',
  CSV_INVALID_OPENING_QUOTE: 'quote inside an unquoted field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected character after a closing quote',
};

function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  return (code && REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
}

const DOS_END_OF_FILE = String.fromCharCode(0x1a);

/** Strips the UTF-8 byte-order mark and the DOS end-of-file character some OFAC files carry. */
export function cleanCsvText(text: string): string {
  let clean = text.replace(/^\uFEFF/, '').trimEnd();
  while (clean.endsWith(DOS_END_OF_FILE)) clean = clean.slice(0, -1).trimEnd();
  return clean;
}

export function readCsvRecords(text: string): CsvReadResult {
  const clean = cleanCsvText(text);
  let whole: CsvReadResult | undefined;
  try {
    whole = readWholeFile(clean);
  } catch {
    // Whatever csv-parse could not skip past, the record-by-record reader isolates.
  }
  return whole ?? readRecordByRecord(clean);
}

function readWholeFile(text: string): CsvReadResult | undefined {
  let failed = false;
  const rows = parse(text, {
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    on_skip: () => {
      failed = true;
      return undefined;
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];
  if (failed) return undefined;
  // csv-parse reports the line a record ends on; newlines inside its quoted fields say how many
  // lines it spans.
  const records = rows.map(({ record, info }) => {
    const innerNewlines = record.reduce((count, field) => count + (field.match(/\n/g)?.length ?? 0), 0);
    return { line: info.lines - innerNewlines, fields: record };
  });
  return { records, problems: [] };
}

function readRecordByRecord(text: string): CsvReadResult {
  const lines = text.split(/\r?\n/);
  const records: CsvRecord[] = [];
  const problems: CsvRowProblem[] = [];
  let start = 0;
  while (start < lines.length) {
    if (lines[start].trim() === '') {
      start += 1;
      continue;
    }
    const end = frameRecord(lines, start);
    const chunk = lines.slice(start, end + 1).join('\n');
    try {
      const parsed = parse(chunk, { relax_column_count: true }) as string[][];
      if (parsed.length !== 1) throw new Error(`expected one record, found ${parsed.length}`);
      records.push({ line: start + 1, fields: parsed[0] });
      start = end + 1;
    } catch (error) {
      // A multi-line failure is best explained by its first line alone (usually an open quote).
      problems.push({ line: start + 1, reason: end > start ? reasonOfLine(lines[start]) : reasonOf(error) });
      // The lines joined to this one may be good records of their own: resume right after it.
      start += 1;
    }
  }
  return { records, problems };
}

function reasonOfLine(line: string): string {
  try {
    parse(line, { relax_column_count: true });
    return 'malformed record';
  } catch (error) {
    return reasonOf(error);
  }
}

/** Last line of the record starting at `start`: extend while an odd number of quotes is open. */
function frameRecord(lines: string[], start: number): number {
  let quotes = countQuotes(lines[start]);
  let end = start;
  while (quotes % 2 === 1 && end + 1 < lines.length && end - start + 1 < MAX_LINES_PER_RECORD) {
    end += 1;
    quotes += countQuotes(lines[end]);
  }
  return end;
}

function countQuotes(line: string): number {
  let count = 0;
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) === 34) count++;
  return count;
}

/**
 * How streaming a file ended: read to the end (with the SHA-256 of its bytes), stopped by the
 * visitor, or `malformed`: csv-parse met a broken record, and since it may have misread what
 * follows, the caller should read the file again with readCsvRecords, which isolates bad rows.
 */
export type CsvStreamOutcome = { status: 'complete'; contentHash: string } | { status: 'stopped' } | { status: 'malformed' };

/** Says whether to go on. */
export type CsvRecordVisitor = (record: CsvRecord) => boolean;

const DOS_END_OF_FILE_CODE = 0x1a;

/** A trailing line of blanks or the DOS end-of-file character: not a record (cleanCsvText drops it). */
function isFiller(fields: string[]): boolean {
  if (fields.length !== 1) return false;
  const value = fields[0];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code !== DOS_END_OF_FILE_CODE && value[i].trim() !== '') return false;
  }
  return true;
}

/**
 * Streams a CSV file record by record without holding it in memory (a full OpenSanctions export
 * is hundreds of megabytes), hashing its bytes on the way. Records reach the visitor as they
 * are parsed; nothing is kept.
 */
export async function streamCsvFile(file: string, visit: CsvRecordVisitor): Promise<CsvStreamOutcome> {
  const hash = createHash('sha256');
  let outcome: 'reading' | 'stopped' | 'malformed' = 'reading';
  const parser = parseStream({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: () => {
      outcome = 'malformed';
      return undefined;
    },
    on_record: (fields: string[], context: { lines: number }) => {
      if (outcome !== 'reading' || isFiller(fields)) return null;
      // csv-parse counts the line a record ends on; newlines inside quoted fields say how many it spans.
      let innerNewlines = 0;
      for (const field of fields) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) innerNewlines++;
      if (!visit({ line: context.lines - innerNewlines, fields })) outcome = 'stopped';
      return null;
    },
  });
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const sink = new Writable({ objectMode: true, write: (_record, _encoding, done) => done() });
  try {
    await pipeline(createReadStream(file), hashing, parser, sink);
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('CSV_')) return { status: 'malformed' };
    throw error;
  }
  if (outcome === 'reading') return { status: 'complete', contentHash: hash.digest('hex') };
  return { status: outcome };
}
