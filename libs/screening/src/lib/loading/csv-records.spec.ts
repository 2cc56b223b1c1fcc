import { readCsvRecords } from './csv-records';

describe('readCsvRecords', () => {
  it('keeps a comma inside a quoted field as part of the value', () => {
    const { records } = readCsvRecords('id,address\n1,"12 Imaginary Lane, Fictograd"\n');
    expect(records[1].fields).toEqual(['1', '12 Imaginary Lane, Fictograd']);
  });

  it('strips a UTF-8 byte-order mark so the first header is "id", not "\\uFEFFid"', () => {
    const { records } = readCsvRecords('\uFEFFid,name\n1,Ann\n');
    expect(records[0].fields[0]).toBe('id');
  });

  it('reads CRLF line endings without leaving \\r in the last field', () => {
    const { records } = readCsvRecords('id,name\r\n1,Ann\r\n2,Bob\r\n');
    expect(records.map((r) => r.fields[1])).toEqual(['name', 'Ann', 'Bob']);
  });

  it('keeps empty cells as empty strings', () => {
    const { records } = readCsvRecords('a,b,c\n1,,3\n');
    expect(records[1].fields).toEqual(['1', '', '3']);
  });

  it('numbers records by the physical line they start on, skipping blank lines', () => {
    const { records } = readCsvRecords('h\n\nx\n"multi\nline"\ny\n');
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([
      [1, 'h'],
      [3, 'x'],
      [4, 'multi\nline'],
      [6, 'y'],
    ]);
  });

  it('reports a row with an unterminated quote by its line and keeps the rows after it', () => {
    const text = 'id,name,x\n1,"Bob,a\n2,Carl,b\n3,Dan,c\n4,"Eve",d\n';
    const { records, problems } = readCsvRecords(text);
    expect(problems).toEqual([{ line: 2, reason: 'unterminated quoted field' }]);
    expect(records.map((r) => r.fields[1])).toEqual(['name', 'Carl', 'Dan', 'Eve']);
  });

  it('reports a row with garbage after a closing quote and keeps the rest', () => {
    const { records, problems } = readCsvRecords('id,name\n1,"Bob"x\n2,Carl\n');
    expect(problems.map((p) => p.line)).toEqual([2]);
    expect(records.map((r) => r.fields[1])).toEqual(['name', 'Carl']);
  });

  it('ignores the DOS end-of-file character OFAC files may end with', () => {
    const { records, problems } = readCsvRecords('1,a\n2,b\n\u001a');
    expect(problems).toEqual([]);
    expect(records).toHaveLength(2);
  });
});
