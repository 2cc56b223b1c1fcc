import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createServiceDataSource } from './data-source';
import { PiiCipher } from './pii-cipher';
import { rekeySealedTable, type SealedTable } from './pii-rekey';
import { testDatabaseUrl } from './testing';

const key = () => randomBytes(32).toString('base64');

describe('re-encrypting sealed columns after a key rotation (real Postgres)', () => {
  let ds: DataSource;
  let mixedBirth: string;
  const [oldKey, newKey, lostKey] = [key(), key(), key()];
  const before = new PiiCipher(oldKey, 'test');
  const after = new PiiCipher(`${newKey},${oldKey}`, 'test');
  const ctx = (id: string, column: string) => `people/${column}/${id}`;
  const spec: SealedTable = { table: 'people', key: 'id', columns: ['name_enc', 'birth_enc'], context: (row, column) => ctx(row.id as string, column), alsoSet: () => ({ key_id: after.keyId }) };

  beforeAll(async () => {
    ds = createServiceDataSource({ url: await testDatabaseUrl('rekey'), schema: 'rekey' });
    await ds.initialize();
    await ds.query('CREATE SCHEMA IF NOT EXISTS rekey');
    await ds.query('CREATE TABLE people (id text PRIMARY KEY, name_enc text, birth_enc text, key_id text)');
    const rows: Array<[string, PiiCipher, string | null, string | null]> = [
      ['a', before, 'Ana', '1990'],
      ['b', before, 'Bo', null],
      ['c', after, 'Cy', '1970'],
      ['d', new PiiCipher(lostKey, 'test'), 'Di', '1980'],
      ['e', before, 'Ed', '1960'],
    ];
    for (const [id, cipher, name, birth] of rows) {
      await ds.query('INSERT INTO people VALUES ($1, $2, $3, $4)', [id, cipher.encryptOptional(name ?? undefined, ctx(id, 'name_enc')), cipher.encryptOptional(birth ?? undefined, ctx(id, 'birth_enc')), cipher.keyId]);
    }
    // Half moved already: the name under the old key, the birth year under the new one.
    mixedBirth = after.encrypt('1950', ctx('f', 'birth_enc'));
    await ds.query('INSERT INTO people VALUES ($1, $2, $3, $4)', ['f', before.encrypt('Fay', ctx('f', 'name_enc')), mixedBirth, before.keyId]);
  });
  afterAll(() => ds?.destroy());

  it('moves every readable value to the current key in one pass, page by page, and leaves what it cannot read', async () => {
    expect(await rekeySealedTable(ds, after, spec, { batch: 2 })).toEqual({ table: 'people', rekeyed: 4, unreadable: 1 });
    const rows: Array<{ id: string; name_enc: string; birth_enc: string | null; key_id: string }> = await ds.query('SELECT * FROM people ORDER BY id');
    const now = new PiiCipher(newKey, 'test');
    for (const row of rows.filter((r) => r.id !== 'd')) {
      expect(now.decrypt(row.name_enc, ctx(row.id, 'name_enc'))).toBe({ a: 'Ana', b: 'Bo', c: 'Cy', e: 'Ed', f: 'Fay' }[row.id]);
      expect(row.key_id).toBe(now.keyId);
    }
    expect(rows.find((r) => r.id === 'b')?.birth_enc).toBeNull();
    // A value already under the current key is left as it was.
    expect(rows.find((r) => r.id === 'f')?.birth_enc).toBe(mixedBirth);
    expect(rows.find((r) => r.id === 'd')?.key_id).toBe(new PiiCipher(lostKey, 'test').keyId);
    // A second pass finds only the unreadable row.
    expect(await rekeySealedTable(ds, after, spec)).toEqual({ table: 'people', rekeyed: 0, unreadable: 1 });
  });
});
