import { randomBytes, randomUUID } from 'node:crypto';
import { DataKeyDestroyedError, DataKeyMissingError, openEvent, sealValue, type DomainEvent } from '@compliance/contracts';
import type { DataSource } from 'typeorm';
import { createServiceDataSource } from './data-source';
import { ensureKeyringSchema, KeyringError, LocalKeyring, parseMasterKeys } from './keyring';
import { testDatabaseUrl } from './testing';

const master = () => randomBytes(32).toString('base64');

describe('the keyring (real Postgres)', () => {
  let ds: DataSource;
  const [first, second] = [master(), master()];

  beforeAll(async () => {
    ds = createServiceDataSource({ url: await testDatabaseUrl('keyring'), schema: 'public' });
    await ds.initialize();
    await ensureKeyringSchema(ds);
    await ensureKeyringSchema(ds); // idempotent
  });
  afterAll(() => ds?.destroy());

  it('issues one live key per owner, the same to every caller and every service', async () => {
    const subject = `subject-${randomUUID()}`;
    const a = new LocalKeyring(ds, first);
    const b = new LocalKeyring(ds, first);
    const [k1, k2, k3] = await Promise.all([a.keysFor([{ subjectRef: subject }]), b.keysFor([{ subjectRef: subject }]), a.keysFor([{ subjectRef: subject, sessionId: 's' }])]);
    expect(k1[0].keyId).toBe(k2[0].keyId);
    expect(k1[0].keyId).toBe(k3[0].keyId); // the subject's key, whatever the session
    expect(k1[0].key.equals(k2[0].key)).toBe(true);
    const [session] = await a.keysFor([{ sessionId: `session-${randomUUID()}` }]);
    expect(session.keyId).not.toBe(k1[0].keyId);
    expect((await b.dataKey(k1[0].keyId)).equals(k1[0].key)).toBe(true);
    // Nothing about the owner in clear in the table.
    const rows = await ds.query('SELECT * FROM keyring.data_keys WHERE key_id = $1', [k1[0].keyId]);
    expect(JSON.stringify(rows)).not.toContain(subject);
    expect(JSON.stringify(rows)).not.toContain(k1[0].key.toString('base64'));
  });

  it('reads first while its owners already have keys (a consumer), inserts first while they are new (an issuer), the same keys either way', async () => {
    const statements: string[] = [];
    const counted = { query: (sql: string, params?: unknown[]) => (statements.push(sql.trim().slice(0, 4)), ds.query(sql, params)) };
    const owners = (n: number) => Array.from({ length: n }, () => ({ subjectRef: `subject-${randomUUID()}` }));
    const issuer = new LocalKeyring(ds, first, 0);
    const consumer = new LocalKeyring(counted, first, 0);
    const keyed = owners(4);
    const issued = await issuer.keysFor(keyed);
    await consumer.keysFor(owners(2)); // new owners: inserted first (this first lookup also reads the owner-digest secret)
    statements.length = 0;
    // Known owners: the insert finds them all keyed, so the next lookup reads first, in one statement.
    expect((await consumer.keysFor(keyed.slice(0, 2))).map((k) => k.keyId)).toEqual(issued.slice(0, 2).map((k) => k.keyId));
    expect(statements).toEqual(['WITH']);
    statements.length = 0;
    const read = await consumer.keysFor(keyed.slice(2));
    expect(read.map((k) => k.keyId)).toEqual(issued.slice(2).map((k) => k.keyId));
    expect(read.map((k) => k.key.equals(issued[2].key) || k.key.equals(issued[3].key))).toEqual([true, true]);
    expect(statements).toEqual(['SELE']);
    // New owners while reading first: read, then make the missing keys; then back to inserting first.
    statements.length = 0;
    const fresh = owners(3);
    const made = await consumer.keysFor(fresh);
    expect(statements).toEqual(['SELE', 'WITH']);
    expect((await issuer.keysFor(fresh)).map((k) => k.keyId)).toEqual(made.map((k) => k.keyId));
    statements.length = 0;
    await consumer.keysFor(owners(1));
    expect(statements).toEqual(['WITH']);
  });

  it('destroys an owner\'s keys: their sealed values no longer open anywhere, another owner\'s still do; a later key is a new one', async () => {
    const [erased, kept] = [`subject-${randomUUID()}`, `subject-${randomUUID()}`];
    const writer = new LocalKeyring(ds, first);
    const reader = new LocalKeyring(ds, first);
    const [ke, kk] = await writer.keysFor([{ subjectRef: erased }, { subjectRef: kept }]);
    const event = (k: typeof ke): DomainEvent => {
      const id = randomUUID();
      return { id, type: 't', source: 's', time: new Date().toISOString(), data: { who: sealValue({ name: 'Ana' }, k.key, k.keyId, id, 'who') }, datakeyid: k.keyId };
    };
    const [e1, e2] = [event(ke), event(kk)];
    expect((await openEvent(e1, reader)).data).toEqual({ who: { name: 'Ana' } }); // cached in the reader now
    expect(await writer.destroy({ subjectRefs: [erased] })).toBe(1);
    expect(await writer.destroy({ subjectRefs: [erased] })).toBe(0);
    // The reader still holds the key it used (a cache) until the erasure command makes it forget the owner.
    expect((await openEvent(e1, reader)).data).toEqual({ who: { name: 'Ana' } });
    await reader.forget({ subjectRefs: [erased] });
    await expect(openEvent(e1, reader)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    expect((await openEvent(e2, reader)).data).toEqual({ who: { name: 'Ana' } });
    const fresh = new LocalKeyring(ds, first);
    await expect(openEvent(e1, fresh)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    expect((await openEvent(e2, fresh)).data).toEqual({ who: { name: 'Ana' } });
    const [again] = await writer.keysFor([{ subjectRef: erased }]);
    expect(again.keyId).not.toBe(ke.keyId);
    const [row] = await ds.query('SELECT wrapped, kek_id, destroyed_at FROM keyring.data_keys WHERE key_id = $1', [ke.keyId]);
    expect(row).toMatchObject({ wrapped: null, kek_id: null });
    expect(row.destroyed_at).toBeInstanceOf(Date);
  });

  it('says in the issuing statement whether an owner was erased before; with skipErased it makes them no new key', async () => {
    const [erased, kept, session] = [`subject-${randomUUID()}`, `subject-${randomUUID()}`, `session-${randomUUID()}`];
    const keyring = new LocalKeyring(ds, first);
    const [ke, kk] = await keyring.keysFor([{ subjectRef: erased }, { subjectRef: kept }]);
    expect([ke.erased, kk.erased]).toEqual([undefined, undefined]);
    const never = `subject-${randomUUID()}`; // erased before any key of theirs was made
    expect(await keyring.destroy({ subjectRefs: [erased, never] })).toBe(1);
    const live = async (keyId?: string) => (await ds.query('SELECT count(*)::int AS n FROM keyring.data_keys WHERE destroyed_at IS NULL AND key_id = $1', [keyId]))[0].n;
    const rows = async () => (await ds.query('SELECT count(*)::int AS n FROM keyring.data_keys'))[0].n as number;
    const before = await rows();

    // An issuing caller that skips erased owners: no key for the erased one, the others as before, one mixed batch.
    const gateway = new LocalKeyring(ds, first);
    const [skipped, same, fresh, neverKeyed] = await gateway.keysFor([{ subjectRef: erased }, { subjectRef: kept }, { sessionId: session }, { subjectRef: never }], { skipErased: true });
    expect(skipped).toEqual({ erased: true });
    expect(neverKeyed).toEqual({ erased: true });
    expect(same).toMatchObject({ keyId: kk.keyId });
    expect(same.erased).toBeUndefined();
    expect(fresh.key).toBeInstanceOf(Buffer);
    expect(fresh.erased).toBeUndefined();
    // Cached: still erased, still no key made.
    expect((await gateway.keysFor([{ subjectRef: erased }], { skipErased: true }))[0]).toEqual({ erased: true });
    expect(await rows()).toBe(before + 1); // the session's key only

    // Every other caller is still issued a key, told the owner was erased before; a skipping caller then gets that key, marked.
    const [again] = await new LocalKeyring(ds, first).keysFor([{ subjectRef: erased }]);
    expect(again).toMatchObject({ erased: true });
    expect(again.keyId).not.toBe(ke.keyId);
    expect(await live(again.keyId)).toBe(1);
    const [marked] = await new LocalKeyring(ds, first).keysFor([{ subjectRef: erased }], { skipErased: true });
    expect(marked).toMatchObject({ erased: true, keyId: again.keyId });
    const [cachedMarked] = await new LocalKeyring(ds, first, 60_000).keysFor([{ subjectRef: erased }]);
    expect(cachedMarked.erased).toBe(true);

    // The index that answers it, made idempotently with the schema.
    const [index] = await ds.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'keyring' AND indexname = 'data_keys_destroyed_owner'`);
    expect(index.indexdef).toMatch(/\(owner_digest\) WHERE \(destroyed_at IS NOT NULL\)/);
  });

  it('a lost keyring row is a clear error, not a crash', async () => {
    const [k] = await new LocalKeyring(ds, first).keysFor([{ sessionId: `lost-${randomUUID()}` }]);
    await ds.query('DELETE FROM keyring.data_keys WHERE key_id = $1', [k.keyId]);
    const err = await new LocalKeyring(ds, first).dataKey(k.keyId).catch((e: Error) => e);
    expect(err).toBeInstanceOf(DataKeyMissingError);
    expect((err as DataKeyMissingError).code).toBe('DATA_KEY_MISSING');
  });

  it('rotates KEYRING_MASTER_KEY like the PII key: the first wraps, all unwrap, rewrap moves everything, a dropped KEK is named', async () => {
    const subject = `rotate-${randomUUID()}`;
    const [before] = await new LocalKeyring(ds, first).keysFor([{ subjectRef: subject }]);
    const rotated = new LocalKeyring(ds, `${second},${first}`);
    // Only a rotation (two keys listed) makes the services scan for keys to re-wrap at start.
    expect([new LocalKeyring(ds, first).rotating, rotated.rotating]).toEqual([false, true]);
    expect((await rotated.dataKey(before.keyId)).equals(before.key)).toBe(true);
    expect((await rotated.keysFor([{ subjectRef: subject }]))[0].keyId).toBe(before.keyId); // owner digests survive the rotation
    expect(await rotated.rewrap(2)).toBeGreaterThan(0);
    expect(await rotated.rewrap()).toBe(0);
    const onlyNew = new LocalKeyring(ds, second);
    expect((await onlyNew.dataKey(before.keyId)).equals(before.key)).toBe(true);
    expect((await onlyNew.keysFor([{ subjectRef: subject }]))[0].keyId).toBe(before.keyId);
    // Back to only the old key: the rows are wrapped under one it does not have.
    await expect(new LocalKeyring(ds, first).dataKey(before.keyId)).rejects.toThrow(KeyringError);
    await expect(new LocalKeyring(ds, first).dataKey(before.keyId)).rejects.toThrow(/not configured.*KEYRING_MASTER_KEY/);
    // Put the first key back in front for the other tests of this file.
    await new LocalKeyring(ds, `${first},${second}`).rewrap();
  });

  it('lets services that start together create the schema and take their grants at once (no "tuple concurrently updated")', async () => {
    const roles = Array.from({ length: 5 }, (_, i) => `kr_${randomBytes(4).toString('hex')}_${i}`);
    for (const role of roles) await ds.query(`CREATE ROLE "${role}" NOLOGIN`);
    try {
      const url = (ds.options as { url: string }).url;
      const starts = roles.map(() => createServiceDataSource({ url, schema: 'public' }));
      await Promise.all(starts.map((s) => s.initialize()));
      try {
        await Promise.all(starts.map((s, i) => ensureKeyringSchema(s, roles[i])));
      } finally {
        await Promise.all(starts.map((s) => s.destroy()));
      }
      for (const role of roles) {
        const [grant] = await ds.query(`SELECT has_table_privilege($1, 'keyring.data_keys', 'INSERT') AS insert, has_table_privilege($1, 'keyring.data_keys', 'DELETE') AS delete`, [role]);
        expect(grant).toEqual({ insert: true, delete: false });
      }
    } finally {
      for (const role of roles) await ds.query(`DROP OWNED BY "${role}"; DROP ROLE "${role}"`);
    }
  });

  it('refuses a master key that is not 32 bytes of base64, naming its position only', () => {
    expect(() => parseMasterKeys(`${first},short`)).toThrow('KEYRING_MASTER_KEY must be base64 keys of exactly 32 bytes, comma-separated (key 2 of 2)');
    // The message names the variable, never the value given.
    expect(() => parseMasterKeys('c2hvcnQta2V5')).toThrow('KEYRING_MASTER_KEY must be base64 keys of exactly 32 bytes, comma-separated');
    expect(() => parseMasterKeys('c2hvcnQta2V5')).not.toThrow(/c2hvcnQta2V5/);
  });
});
