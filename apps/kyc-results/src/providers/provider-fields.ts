import type { KycStatus } from '@compliance/contracts';
import { dropUndefined } from './didit-decision';
import { optionalObject, optionalString, type Json } from './payload-fields';
import { MalformedPayloadError, type IdentityAttributes } from './verification-report';

/** Reads shared by the Sumsub, Onfido, Veriff and Persona adapters (same rules as payload-fields: paths, never values). */

export function requiredString(obj: Json, key: string, path: string): string {
  const value = optionalString(obj, key, path);
  if (value === undefined) throw new MalformedPayloadError(`${path}.${key} is missing`);
  return value;
}

export function requiredObject(obj: Json, key: string, path: string): Json {
  const value = optionalObject(obj, key, path);
  if (!value) throw new MalformedPayloadError(`${path}.${key} is missing`);
  return value;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 time with its zone (`2026-01-01T09:00:00Z`); a time without zone is ambiguous, so malformed. */
export function optionalIsoTime(obj: Json, key: string, path: string): Date | undefined {
  const value = optionalString(obj, key, path);
  if (value === undefined) return undefined;
  const ms = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new MalformedPayloadError(`${path}.${key} is not an ISO 8601 time with zone`);
  return new Date(ms);
}

/** Exact match in a provider's status table; anything else is a payload we do not understand, not a guess. */
export function statusIn(table: Readonly<Record<string, KycStatus>>, value: string, path: string): KycStatus {
  const status = Object.prototype.hasOwnProperty.call(table, value) ? table[value] : undefined;
  if (!status) throw new MalformedPayloadError(`${path} "${value.slice(0, 40)}" is not a known status`);
  return status;
}

/** `1990-04-02` from a date or a midnight date-time (`1990-04-02T00:00:00.000Z`, as Onfido writes `dob`). */
export function optionalDate(obj: Json, key: string, path: string): string | undefined {
  const value = optionalString(obj, key, path);
  if (value === undefined) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(T00:00(:00(\.0+)?)?Z?)?$/.exec(value);
  if (!match) throw new MalformedPayloadError(`${path}.${key} is not a date`);
  return match[1];
}

/** The parts that are present, joined by `separator`; undefined when none is. */
export function joined(parts: Array<string | undefined>, separator = ' '): string | undefined {
  const present = parts.filter((p): p is string => !!p);
  return present.length ? present.join(separator) : undefined;
}

/** Identity attributes without absent fields; undefined when nothing is known about the person. */
export function identityOrNone(identity: IdentityAttributes): IdentityAttributes | undefined {
  const present = dropUndefined(identity);
  return Object.keys(present).length ? present : undefined;
}
