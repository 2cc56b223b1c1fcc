import { readOpenSanctions } from './opensanctions-reader';

const HEADER =
  'id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset,first_seen,last_seen,last_change';

function file(...rows: string[]): string {
  return [HEADER, ...rows].join('\n') + '\n';
}

describe('readOpenSanctions', () => {
  it('splits ;-separated cells into aliases, dates, countries, identifiers and datasets', () => {
    const { entries, problems } = readOpenSanctions(
      file('p1,Person,Ann Example,Anna Example;А. Пример,1970-01-02;1971,ua;pl,,X123456;Y765432,,,,ds-a;ds-b,,,'),
      'targets.simple.csv',
      'opensanctions',
    );
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      {
        list: 'opensanctions',
        entityId: 'p1',
        names: ['Ann Example', 'Anna Example', 'А. Пример'],
        schema: 'Person',
        birthDates: ['1970-01-02', '1971'],
        countries: ['ua', 'pl'],
        identifiers: ['X123456', 'Y765432'],
        datasets: ['ds-a', 'ds-b'],
      },
    ]);
  });

  it('reads empty cells as empty lists, and a quoted address with commas does not shift columns', () => {
    const { entries } = readOpenSanctions(file('o1,Organization,Acme Fictional,,,,"1 Road, Town, Land",,,,,,,,'), 'f.csv', 'f');
    expect(entries[0]).toMatchObject({ names: ['Acme Fictional'], birthDates: [], countries: [], identifiers: [] });
  });

  it('reports a row with the wrong number of columns by line and loads the others', () => {
    const { entries, problems } = readOpenSanctions(
      file('p1,Person,Ann Example,,,,,,,,,,,,', 'p2,Person,Bob Example', 'p3,Person,Cy Example,,,,,,,,,,,,'),
      'targets.simple.csv',
      'opensanctions',
    );
    expect(problems).toEqual([{ file: 'targets.simple.csv', line: 3, reason: 'expected 15 columns, found 3' }]);
    expect(entries.map((e) => e.entityId)).toEqual(['p1', 'p3']);
  });

  it('reports rows without a name or with a repeated id', () => {
    const { entries, problems } = readOpenSanctions(
      file('p1,Person,,,,,,,,,,,,,', 'p2,Person,Bob,,,,,,,,,,,,', 'p2,Person,Bob Again,,,,,,,,,,,,'),
      'f.csv',
      'f',
    );
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'missing name for p1'],
      [4, 'duplicate id p2'],
    ]);
    expect(entries.map((e) => e.names[0])).toEqual(['Bob']);
  });

  it('reports a file without the OpenSanctions header instead of guessing columns', () => {
    const { entries, problems } = readOpenSanctions('a,b\n1,2\n', 'other.csv', 'other');
    expect(entries).toEqual([]);
    expect(problems[0].reason).toMatch(/header/);
  });
});
