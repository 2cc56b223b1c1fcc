import { DataKeyDestroyedError, keyIdsOf, openWith, sealedFieldsOf, sealValue, type DomainEvent } from '@compliance/contracts';
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
 * trip for all (crypto-shredding; docs/privacy.md). Absent fields are skipped; an event with nothing
 * to seal is left as it is. Without a keyring nothing is sealed.
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

function present(data: unknown, path: string[]): boolean {
  if (path.length === 0) return data !== undefined && data !== null;
  if (data === null || typeof data !== 'object') return false;
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(data) && data.some((item) => present(item, rest));
  return present((data as Record<string, unknown>)[head], rest);
}

function sealAt(data: unknown, path: string[], at: string[], seal: (value: unknown, at: string[]) => string): unknown {
  if (path.length === 0) return data === undefined || data === null ? data : seal(data, at);
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
