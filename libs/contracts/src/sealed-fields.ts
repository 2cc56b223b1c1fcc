import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ValidateBy } from 'class-validator';
import type { DomainEvent } from './envelope';
import { secureRandomBytes } from './secure-random';

/**
 * Sealed fields: personal data on the topics, encrypted under the data key of the person it is about
 * (crypto-shredding). A sealed field's value is one string,
 *
 *   `sealed.v1.<keyId>.<iv>.<tag>.<ciphertext>`   (base64url parts; AES-256-GCM; the plaintext is the field's JSON)
 *
 * bound (as additional data) to the event id and the field's path, so a sealed value moved into
 * another event or field does not open. The record also names the key in the `ce_datakeyid`
 * header. Destroying the key (an erasure) makes every copy unreadable at once: on every topic, in
 * retry and dead-letter topics, in backups.
 *
 * A consumer that may read personal data opens an event with `openEvent(event, keys)`, where `keys`
 * gives the 32-byte data key for a key id (the suite's keyring; see docs/privacy.md).
 */
export const SEALED_PREFIX = 'sealed.v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Which fields of which events carry personal data, sealed under the data key of the person the event
 * is about (its `subjectRef`, else its `sessionId`) when the producer has a keyring. Dotted paths;
 * `*` stands for every item of an array. docs/privacy.md lists the same.
 */
export const SEALED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'webhook.received': ['payload'],
  'kyc.verification.*': ['identity'],
  'aml.screening.completed': ['hits.*.matchedName', 'hits.*.entityName'],
  /** Of the alert kinds in PERSONAL_ALERT_KINDS only. */
  'compliance.alert.raised': ['summary', 'details'],
  'compliance.alert.review.proposed': ['note'],
  'compliance.alert.resolved': ['note'],
  /** Sealed by retention before the erasure destroys the key: unreadable on the topic from the start. */
  'retention.erasure.requested': ['reason'],
};

/**
 * Alerts about a screening may name the person (the matched names, the identity screened); the
 * operational ones (an erasure or purge overdue, a dead letter) carry ids only and stay in clear.
 */
export const PERSONAL_ALERT_KINDS: readonly string[] = ['aml_match', 'aml_review', 'aml_screening_failed'];

/** The sealed fields of an event (none for most). */
export function sealedFieldsOf(type: string, data?: unknown): readonly string[] {
  if (type === 'compliance.alert.raised' && !PERSONAL_ALERT_KINDS.includes(String((data as { kind?: unknown } | undefined)?.kind))) return [];
  return SEALED_FIELDS[type] ?? (type.startsWith('kyc.verification.') ? SEALED_FIELDS['kyc.verification.*'] : []);
}

/** Where data keys come from: the keyring (or a client of it). */
export interface DataKeySource {
  /** The key with this id; throws DataKeyDestroyedError or DataKeyMissingError when there is none. */
  dataKey(keyId: string): Promise<Buffer>;
  /** Several at once (one round trip); each entry a key or the error for that id. */
  dataKeys?(keyIds: string[]): Promise<Map<string, Buffer | Error>>;
}

/** The key was destroyed by an erasure: what it sealed is gone for good. */
export class DataKeyDestroyedError extends Error {
  readonly code = 'DATA_KEY_DESTROYED';
  constructor(readonly keyId: string) {
    super(`data key ${keyId} was destroyed (erased); what it sealed cannot be read`);
  }
}

/** No such key in the keyring: a lost row, or a keyring restored from before the key was made. */
export class DataKeyMissingError extends Error {
  readonly code = 'DATA_KEY_MISSING';
  constructor(readonly keyId: string) {
    super(`data key ${keyId} is not in the keyring (lost, or the keyring is older than the data)`);
  }
}

/** A sealed value that is malformed or fails authentication (tampered, or moved to another event or field). */
export class SealedValueError extends Error {
  readonly code = 'SEALED_VALUE_INVALID';
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** The key id a sealed value names. */
export function sealedKeyId(sealed: string): string {
  const keyId = sealed.slice(SEALED_PREFIX.length).split('.')[0];
  if (!keyId) throw new SealedValueError('sealed value names no key');
  return keyId;
}

const aad = (eventId: string, path: string) => Buffer.from(`${eventId}\n${path}`, 'utf8');

/** Seals one field's value (any JSON) for the event `eventId` at `path` (e.g. `payload`, `identity`). */
export function sealValue(value: unknown, key: Buffer, keyId: string, eventId: string, path: string): string {
  return sealJsonText(JSON.stringify(value), key, keyId, eventId, path);
}

/** `sealValue` of a value already serialised (the JSON text as received, e.g. a webhook's raw body). */
export function sealJsonText(json: string | Buffer, key: Buffer, keyId: string, eventId: string, path: string): string {
  if (key.length !== 32) throw new RangeError('a data key is 32 bytes');
  const iv = secureRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(eventId, path));
  const body = Buffer.concat([typeof json === 'string' ? cipher.update(json, 'utf8') : cipher.update(json), cipher.final()]);
  return `${SEALED_PREFIX}${keyId}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

/** Opens a sealed value with its key (the one `sealedKeyId` names). */
export function openValue<T = unknown>(sealed: string, key: Buffer, eventId: string, path: string): T {
  const parts = sealed.slice(SEALED_PREFIX.length).split('.');
  if (!sealed.startsWith(SEALED_PREFIX) || parts.length !== 4) throw new SealedValueError('not a sealed value');
  const [, iv, tag, body] = parts;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(eventId, path));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')) as T;
  } catch {
    throw new SealedValueError(`sealed ${path} of event ${eventId} failed authentication`);
  }
}

/** Every sealed value in `data`, with its path (`payload`, `identity.fullName`, `hits.0.name`). */
export function sealedPaths(data: unknown, prefix = ''): Array<{ path: string; sealed: string }> {
  if (isSealed(data)) return [{ path: prefix, sealed: data }];
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data as Record<string, unknown>).flatMap(([k, v]) => sealedPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** The key ids an event's sealed fields need. */
export function keyIdsOf(event: DomainEvent): string[] {
  return [...new Set(sealedPaths(event.data).map((p) => sealedKeyId(p.sealed)))];
}

function replaceAt(data: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(data)) return data.map((v, i) => (String(i) === head ? replaceAt(v, rest, value) : v));
  const obj = data as Record<string, unknown>;
  return { ...obj, [head]: replaceAt(obj[head], rest, value) };
}

/**
 * The event with every sealed field opened, the keys at hand (`keyOf` answers the key of an id, or
 * throws). Throws SealedValueError when a value was tampered with. An event without sealed fields
 * comes back as it is.
 */
export function openWith<T>(event: DomainEvent<T>, keyOf: (keyId: string) => Buffer): DomainEvent<T> {
  const sealed = sealedPaths(event.data);
  if (sealed.length === 0) return event;
  let data: unknown = event.data;
  for (const { path, sealed: value } of sealed) data = replaceAt(data, path.split('.'), openValue(value, keyOf(sealedKeyId(value)), event.id, path));
  return { ...event, data: data as T };
}

/**
 * The event with every sealed field opened. Throws DataKeyDestroyedError when a key was destroyed
 * (the person was erased), DataKeyMissingError when the keyring lacks it, SealedValueError when a
 * value was tampered with. An event without sealed fields comes back as it is.
 */
export async function openEvent<T>(event: DomainEvent<T>, keys: DataKeySource): Promise<DomainEvent<T>> {
  const ids = keyIdsOf(event);
  const found = new Map<string, Buffer>();
  for (const id of ids) found.set(id, await keys.dataKey(id));
  return openWith(event, (id) => found.get(id) as Buffer);
}

/**
 * Marks a field that carries personal data and is sealed when its producer has a keyring: its
 * value on the topic may be a sealed string instead (documented as such in the AsyncAPI document).
 * For an object field, pair it with `@ValidateIf(unlessSealed('field'))` so the nested checks apply
 * to the clear value only.
 */
export function Sealable(): PropertyDecorator {
  return ValidateBy({ name: 'sealable', validator: { validate: () => true } });
}

/** A `@ValidateIf` condition: validate the field unless its value is sealed. */
export const unlessSealed =
  (field: string) =>
  (o: object): boolean =>
    !isSealed((o as Record<string, unknown>)[field]);
