import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { DataKeyDestroyedError, DataKeyMissingError, secureRandomBytes, type DataKeySource } from '@compliance/contracts';
import type { DataSource } from 'typeorm';
import { parseKeyList } from './pii-cipher';
import { preparedStatement, runPrepared } from './prepared';

/**
 * The keyring: one data key per person (their subject reference; per session where a webhook names
 * no subject), made on first use and kept wrapped (AES-256-GCM) under a key-encryption key from
 * `KEYRING_MASTER_KEY`. Personal data on the topics is sealed under these keys
 * (`@compliance/contracts` sealed fields); an erasure destroys the person's keys, which makes every
 * copy unreadable at once. `Keyring` is what the services use; `LocalKeyring` keeps the keys in the
 * `keyring` schema of the suite's database, and a cloud KMS can stand behind the same interface.
 */
export interface DataKeyOwner {
  subjectRef?: string;
  sessionId?: string;
}

/**
 * The one rule for whose key seals a person's data, everywhere (gateway, outboxes, stored identities):
 * the subject's when it is named, else the session's. Undefined when neither is.
 */
export function dataKeyOwner(subjectRef?: string | null, sessionId?: string | null): DataKeyOwner | undefined {
  if (subjectRef) return { subjectRef };
  return sessionId ? { sessionId } : undefined;
}

/** A stable name of an owner (a cache or map key); the keyring stores only its keyed digest. */
export function ownerName(o: DataKeyOwner): string {
  if (o.subjectRef) return `subject:${o.subjectRef}`;
  if (o.sessionId) return `session:${o.sessionId}`;
  throw new KeyringError('a data key belongs to a subject or a session');
}

export interface IssuedKey {
  keyId: string;
  key: Buffer;
  /** The owner was erased before (a destroyed key of theirs exists): this key was made or kept after an erasure. */
  erased?: boolean;
}

/** An owner erased before, for whom `keysFor(…, { skipErased: true })` issued no key. */
export interface ErasedOwner {
  erased: true;
  keyId?: undefined;
  key?: undefined;
}

export interface Keyring extends DataKeySource {
  /** Several keys in one round trip; each entry the key or why there is none (destroyed, missing). */
  dataKeys(keyIds: string[]): Promise<Map<string, Buffer | Error>>;
  /**
   * The live data key of each owner (the subject's, else the session's), made when there is none. One
   * round trip for all. Each says whether its owner was erased before; with `skipErased` no key is made
   * for such an owner (an ErasedOwner instead), so an erasure is not undone by the next message about them.
   */
  keysFor(owners: DataKeyOwner[]): Promise<IssuedKey[]>;
  keysFor(owners: DataKeyOwner[], options: { skipErased: true }): Promise<Array<IssuedKey | ErasedOwner>>;
  /**
   * Destroys every key of these subjects and sessions (an erasure); returns how many were live. An owner
   * with no key yet is recorded as erased all the same (a destroyed row), so issuing can say so later.
   */
  destroy(owners: { subjectRefs?: string[]; sessionIds?: string[] }, q?: Queryable): Promise<number>;
  /** Drops cached keys of these owners (an erasure was ordered; the keys may be destroyed any moment). */
  forget(owners: { subjectRefs?: string[]; sessionIds?: string[] }): Promise<void>;
}

/** An EntityManager or a DataSource: both run raw SQL. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const KEYRING_SCHEMA = 'keyring';

/** `KEYRING_MASTER_KEY`: the first wraps, all unwrap (a rotation); see parseKeyList. */
export const parseMasterKeys = (value: string): Buffer[] => parseKeyList(value, 'KEYRING_MASTER_KEY');

interface Kek {
  id: string;
  key: Buffer;
}

const kekOf = (master: Buffer): Kek => ({
  id: createHash('sha256').update('keyring-kek-id').update(master).digest('base64url').slice(0, 12),
  key: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'keyring key-encryption key', 32)),
});

function wrap(kek: Kek, key: Buffer, label: string): string {
  const iv = secureRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(label, 'utf8'));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

function unwrap(kek: Kek, wrapped: string, label: string): Buffer {
  const [iv, tag, body] = wrapped.split('.').map((p) => Buffer.from(p, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', kek.key, iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(label, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

export class KeyringError extends Error {
  readonly code = 'KEYRING_ERROR';
}

/**
 * Creates the keyring schema (idempotent) and grants `role` (a service's runtime role) its use: read,
 * add and destroy (null out) keys, never delete a row. Services share the schema and start together,
 * and concurrent GRANTs on one table fail ("tuple concurrently updated"), so all of it runs under one
 * transaction-scoped advisory lock.
 */
export async function ensureKeyringSchema(ds: DataSource, role?: string): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('keyring schema'))`);
    await m.query(`CREATE SCHEMA IF NOT EXISTS ${KEYRING_SCHEMA}`);
    await m.query(`CREATE TABLE IF NOT EXISTS ${KEYRING_SCHEMA}.data_keys (
        key_id text PRIMARY KEY,
        owner_digest text NOT NULL,
        kek_id text,
        wrapped text,
        created_at timestamptz NOT NULL DEFAULT now(),
        destroyed_at timestamptz,
        CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL)))`);
    // Issuing, reading and destroying a live key all go by this index (an issued key is one row insert
    // and one index entry on the ingest path). Re-wrapping after a rotation scans.
    await m.query(`CREATE UNIQUE INDEX IF NOT EXISTS data_keys_live_owner ON ${KEYRING_SCHEMA}.data_keys (owner_digest) WHERE destroyed_at IS NULL`);
    // Whether an owner was erased before (issuing says so): only destroyed rows, so an issued key adds no entry here.
    await m.query(`CREATE INDEX IF NOT EXISTS data_keys_destroyed_owner ON ${KEYRING_SCHEMA}.data_keys (owner_digest) WHERE destroyed_at IS NOT NULL`);
    // The secret the owner digests are keyed with, itself wrapped under the KEK (so a rotation keeps every digest).
    await m.query(`CREATE TABLE IF NOT EXISTS ${KEYRING_SCHEMA}.secrets (name text PRIMARY KEY, kek_id text NOT NULL, wrapped text NOT NULL)`);
    if (role) {
      await m.query(`GRANT USAGE ON SCHEMA ${KEYRING_SCHEMA} TO "${role}"`);
      await m.query(`GRANT SELECT, INSERT, UPDATE ON ${KEYRING_SCHEMA}.data_keys, ${KEYRING_SCHEMA}.secrets TO "${role}"`);
    }
  });
}

/** SQL: whether the owner digest `column` has a destroyed key (an index probe of data_keys_destroyed_owner). */
const wasErased = (column: string): string =>
  `EXISTS (SELECT 1 FROM ${KEYRING_SCHEMA}.data_keys g WHERE g.owner_digest = ${column} AND g.destroyed_at IS NOT NULL)`;

// The statements of every lookup, prepared (see runPrepared).
const LIVE_KEYS = preparedStatement(
  `SELECT o.owner_digest, d.key_id, d.kek_id, d.wrapped, ${wasErased('o.owner_digest')} AS erased
     FROM unnest($1::text[]) AS o(owner_digest)
     LEFT JOIN (SELECT key_id, owner_digest, kek_id, wrapped FROM ${KEYRING_SCHEMA}.data_keys
                 WHERE owner_digest = ANY($1::text[]) AND destroyed_at IS NULL) d ON d.owner_digest = o.owner_digest`,
);
const ISSUE_KEYS = preparedStatement(
  `WITH made AS (
     INSERT INTO ${KEYRING_SCHEMA}.data_keys (key_id, owner_digest, kek_id, wrapped)
     SELECT u.key_id, u.owner_digest, u.kek_id, u.wrapped
       FROM unnest($2::text[], $1::text[], $3::text[], $4::text[]) AS u(key_id, owner_digest, kek_id, wrapped)
      WHERE NOT ($5::boolean AND ${wasErased('u.owner_digest')})
     ON CONFLICT (owner_digest) WHERE destroyed_at IS NULL DO NOTHING
     RETURNING key_id, owner_digest, kek_id, wrapped),
   live AS (
     SELECT key_id, owner_digest, kek_id, wrapped FROM made
     UNION ALL
     SELECT key_id, owner_digest, kek_id, wrapped FROM ${KEYRING_SCHEMA}.data_keys
      WHERE owner_digest = ANY($1::text[]) AND destroyed_at IS NULL AND owner_digest NOT IN (SELECT owner_digest FROM made))
   SELECT o.owner_digest, l.key_id, l.kek_id, l.wrapped, ${wasErased('o.owner_digest')} AS erased
     FROM unnest($1::text[]) AS o(owner_digest) LEFT JOIN live l ON l.owner_digest = o.owner_digest`,
);
const KEYS_BY_ID = preparedStatement(`SELECT key_id, owner_digest, kek_id, wrapped FROM ${KEYRING_SCHEMA}.data_keys WHERE key_id = ANY($1::text[])`);

const ERASED_OWNER: ErasedOwner = Object.freeze({ erased: true as const });

const issuedOf = (c: Cached): IssuedKey => ({ keyId: c.keyId, key: c.key, ...(c.erased ? { erased: true } : {}) });

const namesOf = (owners: { subjectRefs?: string[]; sessionIds?: string[] }): string[] => [
  ...(owners.subjectRefs ?? []).map((s) => ownerName({ subjectRef: s })),
  ...(owners.sessionIds ?? []).map((s) => ownerName({ sessionId: s })),
];

interface Cached {
  keyId: string;
  key: Buffer;
  ownerDigest: string;
  erased?: boolean;
  until: number;
}

/** An owner's row of `keysFor`'s statement: their live key (none when it was skipped or made elsewhere meanwhile), and whether they were erased before. */
interface OwnerRow {
  owner_digest: string;
  key_id: string | null;
  kek_id: string | null;
  wrapped: string | null;
  erased: boolean;
}

/**
 * The keyring in Postgres. Unwrapped keys are cached for `cacheMs` (default 60 s; 0 caches nothing)
 * and dropped by `forget` (on `retention.erasure.requested`) and by `destroy`.
 */
export class LocalKeyring implements Keyring {
  private readonly keks: Kek[];
  private digestKey?: Promise<Buffer>;
  private readonly byOwner = new Map<string, Cached>();
  private readonly byKeyId = new Map<string, Cached>();
  /** Owners found erased, with no key made for them (`skipErased`): until when that answer is cached. */
  private readonly erasedOwners = new Map<string, number>();
  /**
   * Whether `keysFor` reads owners' keys before making any: set while most owners of the last lookup
   * already had one. An issuer (the gateway, meeting new subjects) inserts first; a consumer, whose
   * owners the gateway keyed before it, reads first and wraps no key it would throw away.
   */
  private readFirst = false;

  constructor(
    private readonly db: Queryable,
    masterKeys: string,
    private readonly cacheMs = 60_000,
  ) {
    this.keks = parseMasterKeys(masterKeys).map(kekOf);
  }

  /** The id of the key-encryption key that wraps new keys. */
  get currentKekId(): string {
    return this.keks[0].id;
  }

  private kek(id: string | null): Kek {
    const kek = this.keks.find((k) => k.id === id);
    if (!kek) throw new KeyringError(`keyring entry is wrapped under a key-encryption key that is not configured (${id}); add it to KEYRING_MASTER_KEY`);
    return kek;
  }

  /** The owner-digest secret: made once, kept wrapped, re-wrapped under the current KEK when it rotated. */
  private ownerDigestKey(): Promise<Buffer> {
    this.digestKey ??= (async () => {
      const fresh = secureRandomBytes(32);
      await this.db.query(`INSERT INTO ${KEYRING_SCHEMA}.secrets (name, kek_id, wrapped) VALUES ('owner-digest', $1, $2) ON CONFLICT (name) DO NOTHING`, [this.keks[0].id, wrap(this.keks[0], fresh, 'owner-digest')]);
      const [row] = await this.db.query(`SELECT kek_id, wrapped FROM ${KEYRING_SCHEMA}.secrets WHERE name = 'owner-digest'`);
      const key = unwrap(this.kek(row.kek_id), row.wrapped, 'owner-digest');
      if (row.kek_id !== this.keks[0].id) {
        await this.db.query(`UPDATE ${KEYRING_SCHEMA}.secrets SET kek_id = $1, wrapped = $2 WHERE name = 'owner-digest' AND kek_id = $3`, [this.keks[0].id, wrap(this.keks[0], key, 'owner-digest'), row.kek_id]);
      }
      return key;
    })().catch((err) => {
      this.digestKey = undefined;
      throw err;
    });
    return this.digestKey;
  }

  private async digestsOf(names: string[]): Promise<string[]> {
    const key = await this.ownerDigestKey();
    return names.map((n) => createHmac('sha256', key).update(n).digest('base64url'));
  }

  keysFor(owners: DataKeyOwner[]): Promise<IssuedKey[]>;
  keysFor(owners: DataKeyOwner[], options: { skipErased: true }): Promise<Array<IssuedKey | ErasedOwner>>;
  async keysFor(owners: DataKeyOwner[], options?: { skipErased: true }): Promise<Array<IssuedKey | ErasedOwner>> {
    const skipErased = options?.skipErased === true;
    const names = owners.map(ownerName);
    const now = Date.now();
    const out = new Map<string, IssuedKey | ErasedOwner>();
    for (const n of names) {
      const hit = this.byOwner.get(n);
      if (hit && hit.until > now) out.set(n, issuedOf(hit));
      else {
        // An erasure is for good: an owner found erased (with no key made) stays so for callers that skip them.
        const erasedUntil = skipErased ? this.erasedOwners.get(n) : undefined;
        if (erasedUntil !== undefined && erasedUntil > now) out.set(n, ERASED_OWNER);
        else if (erasedUntil !== undefined) this.erasedOwners.delete(n);
      }
    }
    const missing = [...new Set(names.filter((n) => !out.has(n)))];
    if (missing.length) {
      const digests = await this.digestsOf(missing);
      const made = new Map<string, Buffer>();
      let rows: OwnerRow[];
      if (this.readFirst) {
        // Most owners already had a key last time (a consumer meets owners the gateway keyed): read them,
        // and make keys only for the rest, instead of wrapping a fresh key per owner to throw away.
        rows = await this.liveKeys(digests);
        const unkeyed = rows.filter((r) => r.key_id === null && !(skipErased && r.erased)).map((r) => r.owner_digest);
        if (unkeyed.length) {
          const issued = new Map((await this.issue(unkeyed, skipErased, made)).map((r) => [r.owner_digest, r]));
          rows = rows.map((r) => issued.get(r.owner_digest) ?? r);
        }
        this.readFirst = unkeyed.length * 2 <= rows.length;
      } else {
        rows = await this.issue(digests, skipErased, made);
        this.readFirst = rows.filter((r) => r.key_id !== null && !made.has(r.key_id)).length * 2 > rows.length;
      }
      const byDigest = new Map(rows.map((r) => [r.owner_digest, r]));
      missing.forEach((name, i) => {
        const row = byDigest.get(digests[i]);
        if (!row?.key_id || !row.wrapped) {
          if (!(skipErased && row?.erased)) throw new KeyringError('a data key was destroyed while it was being issued; retry');
          if (this.cacheMs > 0) this.erasedOwners.set(name, now + this.cacheMs);
          out.set(name, ERASED_OWNER);
          return;
        }
        // A key made here is at hand in clear; one made elsewhere is unwrapped.
        const issued: IssuedKey = { keyId: row.key_id, key: made.get(row.key_id) ?? unwrap(this.kek(row.kek_id), row.wrapped, row.key_id), ...(row.erased ? { erased: true } : {}) };
        const cached = { ...issued, ownerDigest: row.owner_digest, until: now + this.cacheMs };
        if (this.cacheMs > 0) {
          this.byOwner.set(name, cached);
          this.byKeyId.set(issued.keyId, cached);
        }
        out.set(name, issued);
      });
    }
    return names.map((n) => out.get(n) as IssuedKey | ErasedOwner);
  }

  /**
   * Each owner's live key (none if they have none), and whether they were erased before. The keys are
   * found by `= ANY` (index probes): joined to the unnested list directly, the planner hashed the whole
   * table instead (13 ms a call against 1 ms at 12,000 keys).
   */
  private liveKeys(digests: string[]): Promise<OwnerRow[]> {
    return runPrepared(this.db, LIVE_KEYS, [digests]);
  }

  /**
   * Makes a key for every owner without a live one (unless `skipErased` and the owner has a destroyed
   * key) and reads the live key of the others; the keys made here go into `made` (key id → key).
   */
  private async issue(digests: string[], skipErased: boolean, made: Map<string, Buffer>): Promise<OwnerRow[]> {
    const fresh = digests.map(() => ({ keyId: `dk_${secureRandomBytes(16).toString('base64url')}`, key: secureRandomBytes(32) }));
    // One round trip, one row per owner: insert a key for every owner without a live one (unless the
    // caller skips erased owners and this one has a destroyed key), read the live key of the others (the
    // statement's snapshot cannot see its own inserts, hence the union with what it inserted), and say
    // whether the owner was erased before (the destroyed-row index).
    let rows: OwnerRow[] = await runPrepared(this.db, ISSUE_KEYS, [digests, fresh.map((f) => f.keyId), digests.map(() => this.keks[0].id), fresh.map((f) => wrap(this.keks[0], f.key, f.keyId)), skipErased]);
    // A key another writer committed after this statement's snapshot: read it now.
    if (rows.some((r) => r.key_id === null && !(skipErased && r.erased))) rows = await this.liveKeys(digests);
    const live = new Set(rows.map((r) => r.key_id));
    for (const f of fresh) if (live.has(f.keyId)) made.set(f.keyId, f.key);
    return rows;
  }

  async dataKey(keyId: string): Promise<Buffer> {
    const found = (await this.dataKeys([keyId])).get(keyId);
    if (found instanceof Error) throw found;
    return found as Buffer;
  }

  async dataKeys(keyIds: string[]): Promise<Map<string, Buffer | Error>> {
    const now = Date.now();
    const out = new Map<string, Buffer | Error>();
    const missing: string[] = [];
    for (const id of new Set(keyIds)) {
      const hit = this.byKeyId.get(id);
      if (hit && hit.until > now) out.set(id, hit.key);
      else missing.push(id);
    }
    if (missing.length) {
      const rows: Array<{ key_id: string; owner_digest: string; kek_id: string | null; wrapped: string | null }> = await runPrepared(this.db, KEYS_BY_ID, [missing]);
      const byId = new Map(rows.map((r) => [r.key_id, r]));
      for (const id of missing) {
        const row = byId.get(id);
        if (!row) out.set(id, new DataKeyMissingError(id));
        else if (row.wrapped === null) out.set(id, new DataKeyDestroyedError(id));
        else {
          const key = unwrap(this.kek(row.kek_id), row.wrapped, id);
          if (this.cacheMs > 0) this.byKeyId.set(id, { keyId: id, key, ownerDigest: row.owner_digest, until: now + this.cacheMs });
          out.set(id, key);
        }
      }
    }
    return out;
  }

  async destroy(owners: { subjectRefs?: string[]; sessionIds?: string[] }, q: Queryable = this.db): Promise<number> {
    const digests = await this.digestsOf(namesOf(owners));
    if (digests.length === 0) return 0;
    this.dropCached(digests);
    const destroyed: Array<{ key_id: string }> = await q.query(
      // A CTE so the driver answers rows (an UPDATE … RETURNING answers [rows, count] through TypeORM).
      // An owner with no key at all gets a destroyed row too: issuing then knows they were erased.
      `WITH gone AS (UPDATE ${KEYRING_SCHEMA}.data_keys SET wrapped = NULL, kek_id = NULL, destroyed_at = now()
         WHERE owner_digest = ANY($1::text[]) AND destroyed_at IS NULL RETURNING key_id, owner_digest),
       marked AS (INSERT INTO ${KEYRING_SCHEMA}.data_keys (key_id, owner_digest, destroyed_at)
         SELECT u.key_id, u.owner_digest, now() FROM unnest($2::text[], $1::text[]) AS u(key_id, owner_digest)
          WHERE u.owner_digest NOT IN (SELECT owner_digest FROM gone) AND NOT ${wasErased('u.owner_digest')}
         ON CONFLICT DO NOTHING)
       SELECT key_id FROM gone`,
      [digests, digests.map(() => `dk_${secureRandomBytes(16).toString('base64url')}`)],
    );
    return destroyed.length;
  }

  async forget(owners: { subjectRefs?: string[]; sessionIds?: string[] }): Promise<void> {
    const names = namesOf(owners);
    if (names.length === 0 || (this.byOwner.size === 0 && this.byKeyId.size === 0)) return;
    this.dropCached(await this.digestsOf(names));
  }

  private dropCached(digests: string[]): void {
    const gone = new Set(digests);
    for (const [k, c] of this.byOwner) if (gone.has(c.ownerDigest)) this.byOwner.delete(k);
    for (const [k, c] of this.byKeyId) if (gone.has(c.ownerDigest)) this.byKeyId.delete(k);
  }

  /** Whether more than one master key is configured: a rotation in progress, with keys to re-wrap. */
  get rotating(): boolean {
    return this.keks.length > 1;
  }

  /**
   * Re-wraps keys (and the digest secret) still under an older KEK, `batch` at a time; returns how
   * many. It scans the table, so the services call it at start only while `rotating`: with one master
   * key, a key under another cannot be unwrapped anyway.
   */
  async rewrap(batch = 500): Promise<number> {
    await this.ownerDigestKey();
    let total = 0;
    for (;;) {
      const rows: Array<{ key_id: string; kek_id: string; wrapped: string }> = await this.db.query(
        `SELECT key_id, kek_id, wrapped FROM ${KEYRING_SCHEMA}.data_keys WHERE wrapped IS NOT NULL AND kek_id <> $1 LIMIT $2`,
        [this.keks[0].id, batch],
      );
      if (rows.length === 0) return total;
      const rewrapped = rows.map((r) => wrap(this.keks[0], unwrap(this.kek(r.kek_id), r.wrapped, r.key_id), r.key_id));
      await this.db.query(
        `UPDATE ${KEYRING_SCHEMA}.data_keys d SET kek_id = $1, wrapped = u.wrapped
         FROM unnest($2::text[], $3::text[], $4::text[]) AS u(key_id, old_kek, wrapped)
         WHERE d.key_id = u.key_id AND d.kek_id = u.old_kek AND d.wrapped IS NOT NULL`,
        [this.keks[0].id, rows.map((r) => r.key_id), rows.map((r) => r.kek_id), rewrapped],
      );
      total += rows.length;
    }
  }
}
