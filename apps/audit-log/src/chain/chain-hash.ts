import { createHash, randomBytes } from 'node:crypto';
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
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A fresh salt: without it, a redacted low-entropy value (a status) could be recovered by guessing its hash. */
export const newSalt = (): string => randomBytes(16).toString('hex');

/** The stored form of an entry's data: canonical JSON (see docs/audit-log.md). */
export const canonicalData = (data: unknown): string => canonicalJson(data);

/** data_hash = SHA-256(salt ‖ canonical data), both as UTF-8 text. */
export const dataHashOf = (salt: string, canonical: string): string => sha256(salt + canonical);

/**
 * canonical(header): canonical JSON with absent references as null. The keys are written in sorted
 * order, so plain JSON.stringify prints exactly what canonicalJson would, without its sorting pass
 * (verification runs this for every entry; the equality is tested).
 */
export function canonicalHeader(h: EntryHeader): string {
  return JSON.stringify({
    eventId: h.eventId,
    occurredAt: h.occurredAt,
    recordedAt: h.recordedAt,
    sequence: h.sequence,
    sessionId: h.sessionId ?? null,
    source: h.source,
    subjectRef: h.subjectRef ?? null,
    type: h.type,
  });
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
