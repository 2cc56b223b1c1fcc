import { TEST_API_KEYS } from '@compliance/platform/testing';
import { AmlHarness } from '../../test/aml-test-harness';

describe('aml-trigger list entries: a loaded entry by its id, for a reviewer comparing a hit (real Kafka, Postgres)', () => {
  const h = new AmlHarness('amlentry');

  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('answers an entry of each loaded list with its aliases, birth dates, countries and list version', async () => {
    const open = await h.http('/lists/opensanctions/entries/fict-0001', { key: TEST_API_KEYS.analyst });
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({
      list: 'opensanctions',
      entityId: 'fict-0001',
      schema: 'Person',
      primaryName: 'Viktor Kovalenko-Drask',
      aliases: ['Виктор Коваленко-Драск', 'Viktor Kovalenko', 'V. Kovalenko-Drask'],
      birthDates: ['1968-04-12'],
      countries: expect.arrayContaining(['ua']),
      identifiers: ['ZX4471902'],
    });
    const lists = await h.http('/lists', { key: TEST_API_KEYS.analyst });
    const version = lists.body.lists.find((v: { list: string }) => v.list === 'opensanctions');
    expect(open.body.listVersion).toEqual({ contentHash: version.contentHash, loadedAt: version.loadedAt, entryCount: version.entryCount });

    const ofac = await h.http('/lists/ofac-sdn/entries/10001', { key: TEST_API_KEYS.auditor });
    expect(ofac.status).toBe(200);
    expect(ofac.body.aliases).toEqual(expect.arrayContaining(['KOVALENKO, Viktor']));
    expect(ofac.body.birthDates).toEqual(['1968-04-12']);
  });

  it('needs an API key, and answers a clear 404 or 400 for an unknown or malformed id', async () => {
    expect((await h.http('/lists/opensanctions/entries/fict-0001')).status).toBe(401);
    // An id of one list is not found on another.
    expect(await h.http('/lists/ofac-sdn/entries/fict-0001', { key: TEST_API_KEYS.analyst })).toMatchObject({ status: 404, body: { code: 'LIST_ENTRY_NOT_FOUND' } });
    expect(await h.http('/lists/no-such-list/entries/fict-0001', { key: TEST_API_KEYS.analyst })).toMatchObject({ status: 404, body: { code: 'LIST_ENTRY_NOT_FOUND' } });
    expect(await h.http(`/lists/opensanctions/entries/${'x'.repeat(201)}`, { key: TEST_API_KEYS.analyst })).toMatchObject({ status: 400, body: { code: 'INVALID_ENTRY_ID' } });
    expect(await h.http('/lists/opensanctions/entries/a%00b', { key: TEST_API_KEYS.analyst })).toMatchObject({ status: 400, body: { code: 'INVALID_ENTRY_ID' } });
  });
});
