import * as crypto from 'node:crypto';
import { canonicalJson } from '@compliance/contracts';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an entry the chain commits to directly (everything but the data). */
export interface EntryHeader {
  sequence: number;
  eventId: string;
  type: string;
  source: string;
  subjectRef: string | null;
  sessionId: string | null;
  /** ISO-8601 UTC with milliseconds, as `Date.prototype.toISOString` prints it. */
  occurredAt: string;
  recordedAt: string;
  /**
   * The W3C trace id of the event's trace, when it carried one. Committed to when present; entries
   * written before it was recorded hash exactly as they did.
   */
  traceId?: string | null;
}

/**
 * Hex SHA-256 of the UTF-8 text. The one-shot `crypto.hash` (Node 20.12+) skips the Hash object
 * that `createHash` builds; the chain runs this twice per entry when appending and verifying.
 */
export const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** The stored form of an entry's data: canonical JSON (see docs/audit-log.md). */
export const canonicalData = (data: unknown): string => canonicalJson(data);

/** data_hash = SHA-256(salt ‖ canonical data), both as UTF-8 text. */
export const dataHashOf = (salt: string, canonical: string): string => sha256(salt + canonical);

/** What JSON.stringify escapes in a string: quote, backslash, control characters, (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal exactly as JSON.stringify prints it, without calling it for plain text. */
const jsonString = (s: string): string => (typeof s === 'string' && !NEEDS_ESCAPE.test(s) ? `"${s}"` : JSON.stringify(s));
const jsonStringOrNull = (s: string | null | undefined): string => (s === null || s === undefined ? 'null' : jsonString(s));

/**
 * canonical(header): canonical JSON with absent references as null and no `traceId` key when there is none. The keys are written in sorted
 * order and strings escaped as JSON.stringify does, so this prints exactly what canonicalJson would
 * without building an object per entry (verification runs this for every entry; the equality is tested).
 */
export function canonicalHeader(h: EntryHeader): string {
  return (
    `{"eventId":${jsonString(h.eventId)},"occurredAt":${jsonString(h.occurredAt)},"recordedAt":${jsonString(h.recordedAt)}` +
    `,"sequence":${JSON.stringify(h.sequence)},"sessionId":${jsonStringOrNull(h.sessionId)},"source":${jsonString(h.source)}` +
    `,"subjectRef":${jsonStringOrNull(h.subjectRef)}${h.traceId ? `,"traceId":${jsonString(h.traceId)}` : ''},"type":${jsonString(h.type)}}`
  );
}

/** hash = SHA-256(prev_hash ‖ canonical(header) ‖ data_hash), hashes as lowercase hex text. */
export const entryHashOf = (prevHash: string, header: EntryHeader, dataHash: string): string =>
  sha256(prevHash + canonicalHeader(header) + dataHash);

/** Timestamps enter the chain at millisecond precision, the precision they are read back with. */
export function isoMillis(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a timestamp: ${String(value).slice(0, 40)}`);
  return date.toISOString();
}
