import { ConflictException } from '@nestjs/common';
import {
  DataKeyDestroyedError,
  DataKeyMissingError,
  isSealed,
  keyIdsOf,
  openValue,
  openWith,
  sealedFieldsOf,
  sealedKeyId,
  sealedPaths,
  sealValue,
  type DomainEvent,
} from '@compliance/contracts';
import { PermanentEventError } from '@compliance/messaging';
import { dataKeyOwner, type DataKeyOwner, type Keyring } from '@compliance/persistence';

/** An event to seal: whose personal data it carries, and where (dotted paths; `*` for every array item). */
export interface SealRequest {
  event: DomainEvent;
  owner: DataKeyOwner;
  paths: string[];
}

/**
 * Seals the named fields of each event under its owner's data key, in place, with one keyring round
 * trip for all (crypto-shredding; docs/privacy.md). Absent fields and fields already sealed are
 * skipped; an event with nothing to seal is left as it is. Without a keyring nothing is sealed.
 */
export async function sealEvents(keyring: Keyring | null | undefined, requests: SealRequest[]): Promise<void> {
  if (!keyring) return;
  const todo = requests.filter((r) => r.paths.some((p) => present(r.event.data, p.split('.'))));
  if (todo.length === 0) return;
  const keys = await keyring.keysFor(todo.map((r) => r.owner));
  todo.forEach(({ event, paths }, i) => {
    const { keyId, key } = keys[i];
    let data = event.data;
    for (const path of paths) data = sealAt(data, path.split('.'), [], (value, at) => sealValue(value, key, keyId, event.id, at.join('.')));
    event.data = data;
    event.datakeyid = keyId;
  });
}

/** An empty object: nothing to seal (a redacted webhook's payload), so no key is issued for it. */
const isEmptyObject = (data: unknown): boolean => typeof data === 'object' && data !== null && !Array.isArray(data) && Object.keys(data).length === 0;

function present(data: unknown, path: string[]): boolean {
  if (path.length === 0) return data !== undefined && data !== null && !isSealed(data) && !isEmptyObject(data);
  if (data === null || typeof data !== 'object') return false;
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(data) && data.some((item) => present(item, rest));
  return present((data as Record<string, unknown>)[head], rest);
}

function sealAt(data: unknown, path: string[], at: string[], seal: (value: unknown, at: string[]) => string): unknown {
  if (path.length === 0) return data === undefined || data === null || isSealed(data) || isEmptyObject(data) ? data : seal(data, at);
  if (data === null || typeof data !== 'object') return data;
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(data) ? data.map((item, i) => sealAt(item, rest, [...at, String(i)], seal)) : data;
  const obj = data as Record<string, unknown>;
  if (!(head in obj)) return data;
  return { ...obj, [head]: sealAt(obj[head], rest, [...at, head], seal) };
}

/**
 * The contract's sealing (SEALED_FIELDS) for events a service publishes: each under the key of the
 * person it is about (`subjectRef`, else `sessionId`). An event that names neither is left as it is.
 */
export function sealByContract(keyring: Keyring | null | undefined, events: DomainEvent[]): Promise<void> {
  return sealEvents(
    keyring,
    events.flatMap((event) => {
      const paths = sealedFieldsOf(event.type, event.data);
      const { subjectRef, sessionId } = (event.data ?? {}) as { subjectRef?: unknown; sessionId?: unknown };
      const owner = dataKeyOwner(typeof subjectRef === 'string' ? subjectRef : undefined, typeof sessionId === 'string' ? sessionId : undefined);
      return paths.length && owner ? [{ event, owner, paths: [...paths] }] : [];
    }),
  );
}

/** A record to seal at rest: whose data it is, what binds it (its table and id), which fields. */
export interface RecordSealRequest<T> {
  data: T;
  owner: DataKeyOwner;
  /** Bound to every sealed value (as an event id is on the topics): copied to another row, it does not open. */
  context: string;
  /** Dotted paths; `*` for every array item; `''` for the value itself. */
  paths: string[];
}

/**
 * Personal data at rest under the person's data key (crypto-shredding), the same sealed values as on
 * the topics, bound to the row (`context`) and the field's path: the records with the named fields
 * sealed, one keyring round trip for all. The inputs are not changed. Without a keyring, as given.
 */
export async function sealRecords<T>(keyring: Keyring | null | undefined, records: Array<RecordSealRequest<T>>): Promise<T[]> {
  if (!keyring) return records.map((r) => r.data);
  const pathsOf = (r: RecordSealRequest<T>) => r.paths.map((p) => (p === '' ? [] : p.split('.')));
  const todo = records.map((r, i) => ({ r, i })).filter(({ r }) => pathsOf(r).some((p) => present(r.data, p)));
  const out = records.map((r) => r.data);
  if (todo.length === 0) return out;
  const keys = await keyring.keysFor(todo.map(({ r }) => r.owner));
  todo.forEach(({ r, i }, n) => {
    const { keyId, key } = keys[n];
    let data: unknown = r.data;
    for (const path of pathsOf(r)) data = sealAt(data, path, [], (value, at) => sealValue(value, key, keyId, r.context, at.join('.')));
    out[i] = data as T;
  });
  return out;
}

/** What a sealed value at rest reads as once its key was destroyed (the person was erased). */
export const ERASED_VALUE = '[erased]';

/**
 * The records with every sealed value opened (sealRecords' counterpart), one keyring round trip for
 * all. A value under a destroyed key reads as ERASED_VALUE. A record with a value under a key the
 * keyring lacks comes back as its DataKeyMissingError (the caller says so: an HTTP 409
 * DATA_KEY_MISSING, or "[unavailable]" in a list); a tampered value throws SealedValueError.
 */
export async function openRecords<T>(keyring: Keyring | null | undefined, records: Array<{ data: T; context: string }>): Promise<Array<T | DataKeyMissingError>> {
  const found = records.map((r) => sealedPaths(r.data));
  const ids = [...new Set(found.flatMap((paths) => paths.map((p) => sealedKeyId(p.sealed))))];
  if (ids.length === 0) return records.map((r) => r.data);
  const keys = keyring ? await keyring.dataKeys(ids) : new Map<string, Buffer | Error>(ids.map((id) => [id, new DataKeyMissingError(id)]));
  return records.map((r, i) => {
    let data: unknown = r.data;
    for (const { path, sealed } of found[i]) {
      const key = keys.get(sealedKeyId(sealed));
      if (key instanceof DataKeyDestroyedError) data = replaceAt(data, path, ERASED_VALUE);
      else if (key instanceof DataKeyMissingError) return key;
      else if (!(key instanceof Buffer)) throw key ?? new DataKeyMissingError(sealedKeyId(sealed));
      else data = replaceAt(data, path, openValue(sealed, key, r.context, path));
    }
    return data as T;
  });
}

function replaceAt(data: unknown, path: string, value: unknown): unknown {
  if (path === '') return value;
  const [head, ...rest] = path.split('.');
  if (Array.isArray(data)) return data.map((v, i) => (String(i) === head ? replaceAt(v, rest.join('.'), value) : v));
  const obj = data as Record<string, unknown>;
  return { ...obj, [head]: replaceAt(obj[head], rest.join('.'), value) };
}

/**
 * A read over HTTP whose personal data is sealed under a key the keyring lacks (a lost row, or a
 * keyring restored from before the key was made): 409 DATA_KEY_MISSING instead of a bare 500.
 * Nothing personal is in the answer; the key id is not.
 */
export function dataKeyMissingResponse(err: DataKeyMissingError): ConflictException {
  return new ConflictException({
    statusCode: 409,
    code: 'DATA_KEY_MISSING',
    message: `the personal data of this record is sealed under data key ${err.keyId}, which is not in the keyring (a lost row, or a keyring restored from before the key was made); restore the keyring`,
  });
}

/** Rethrows `err`, as dataKeyMissingResponse when the keyring lacks a data key. For a read's catch. */
export function rethrowForHttp(err: unknown): never {
  throw err instanceof DataKeyMissingError ? dataKeyMissingResponse(err) : err;
}

/** A consumed event whose personal data was sealed under a key since destroyed: its person was erased. */
export const ERASED = 'erased' as const;

/**
 * The events with every sealed field opened (crypto-shredding), one keyring round trip for all.
 * An event sealed under a destroyed key comes back as ERASED (its person was erased: nothing of theirs
 * can be used). A sealed event without a keyring, under a key missing from the keyring, or altered, no
 * retry can fix: a PermanentEventError with the reason (dead-lettered), never the values.
 */
export async function openEvents<T>(keyring: Keyring | null | undefined, events: Array<DomainEvent<T>>): Promise<Array<DomainEvent<T> | typeof ERASED>> {
  const needed = events.map((e) => keyIdsOf(e));
  const ids = [...new Set(needed.flat())];
  if (ids.length === 0) return events;
  if (!keyring) throw new PermanentEventError('event carries sealed personal data but no keyring is configured (KEYRING_MASTER_KEY)', 'KEYRING_NOT_CONFIGURED');
  const keys = await keyring.dataKeys(ids);
  return events.map((event, i) => {
    if (needed[i].length === 0) return event;
    const problem = needed[i].map((id) => keys.get(id)).find((k): k is Error => !(k instanceof Buffer));
    if (problem instanceof DataKeyDestroyedError) return ERASED;
    if (problem) throw new PermanentEventError(problem.message, (problem as Error & { code?: string }).code ?? 'DATA_KEY_UNAVAILABLE');
    try {
      return openWith(event, (id) => keys.get(id) as Buffer);
    } catch (err) {
      throw new PermanentEventError((err as Error).message, 'SEALED_VALUE_INVALID');
    }
  });
}
