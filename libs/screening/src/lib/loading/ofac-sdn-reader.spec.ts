import { parseOfacRemarks } from './ofac-remarks';
import { readOfacSdn } from './ofac-sdn-reader';

const SDN = [
  '101,"DRASK, Viktor","individual","RURITANIA-EO1] [FREEDONIA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 12 Apr 1968; nationality Ukraine; Passport ZX4471902 (Ukraine)."',
  '102,"OCEAN FICTION","vessel","FREEDONIA",-0- ,"ZZ9","Cargo","1","2","Freedonia","-0- ","-0- "',
  '103,"NO COMPANY LTD",-0- ,"FREEDONIA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
].join('\r\n');
const ALT = ['101,1,"aka","KOVALENKO, Viktor",-0- ', '999,2,"aka","GHOST, Nobody",-0- ', '102,3,"fka",-0- ,-0- '].join('\r\n');

describe('readOfacSdn', () => {
  const { entries, problems } = readOfacSdn({ sdn: { file: 'sdn.csv', text: SDN }, alt: { file: 'alt.csv', text: ALT } });
  const byId = new Map(entries.map((entry) => [entry.entityId, entry]));

  it('reads -0- as an empty cell: an entity without SDN_Type becomes schema "entity"', () => {
    expect(byId.get('103')).toMatchObject({ schema: 'entity', birthDates: [], countries: [], identifiers: [] });
  });

  it('joins alt.csv aliases to their entry by ent_num', () => {
    expect(byId.get('101')?.names).toEqual(['DRASK, Viktor', 'KOVALENKO, Viktor']);
  });

  it('splits bracketed programs and takes DOB, nationality and passport from Remarks', () => {
    expect(byId.get('101')).toMatchObject({
      datasets: ['RURITANIA-EO1', 'FREEDONIA'],
      birthDates: ['1968-04-12'],
      countries: ['Ukraine'],
      identifiers: ['ZX4471902'],
    });
  });

  it("uses a vessel's flag as its country", () => {
    expect(byId.get('102')?.countries).toEqual(['Freedonia']);
  });

  it('reports aliases of unknown entries and aliases without a name, by line', () => {
    expect(problems).toEqual([
      { file: 'alt.csv', line: 2, reason: 'no SDN entry with ent_num 999' },
      { file: 'alt.csv', line: 3, reason: 'missing alt_name' },
    ]);
  });

  it('reports rows with a wrong column count or a non-numeric ent_num', () => {
    const result = readOfacSdn({ sdn: { file: 'sdn.csv', text: '1,"A, B","individual"\nX1,"C, D",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n' } });
    expect(result.entries).toEqual([]);
    expect(result.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'expected 12 columns, found 3'],
      [2, 'ent_num is not a number: "X1"'],
    ]);
  });
});

describe('parseOfacRemarks', () => {
  it('reads year-only, month-year and ranged dates of birth', () => {
    expect(parseOfacRemarks('DOB 1958; alt. DOB Mar 1961 to Apr 1962.').birthDates).toEqual(['1958', '1961-03', '1962-04']);
  });

  it('reads citizenship and national id numbers, ignoring issue details after the number', () => {
    const facts = parseOfacRemarks('citizen Syldavia; National ID No. SY-55110302 (Syldavia); Passport B7654321 issued 2010.');
    expect(facts.countries).toEqual(['Syldavia']);
    expect(facts.identifiers).toEqual(['SY-55110302', 'B7654321']);
  });

  it('finds nothing in an empty remark', () => {
    expect(parseOfacRemarks('')).toEqual({ birthDates: [], countries: [], identifiers: [] });
  });
});
