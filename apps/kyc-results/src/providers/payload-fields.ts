import { MalformedPayloadError } from './verification-report';

/**
 * Typed reads of provider JSON. A field that is absent or null reads as undefined; a field of the
 * wrong type makes the payload malformed, with its path (never its value) as the reason.
 */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(obj: Json, key: string, path: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new MalformedPayloadError(`${path}.${key} is not a string`);
  return v.trim() === '' ? undefined : v;
}

export function optionalNumber(obj: Json, key: string, path: string): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new MalformedPayloadError(`${path}.${key} is not a number`);
  return v;
}

export function optionalBoolean(obj: Json, key: string, path: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new MalformedPayloadError(`${path}.${key} is not a boolean`);
  return v;
}

export function optionalObject(obj: Json, key: string, path: string): Json | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new MalformedPayloadError(`${path}.${key} is not an object`);
  return v;
}

/** An array of objects (Didit v3 feature results); each item must be an object. */
export function optionalObjectArray(obj: Json, key: string, path: string): Json[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new MalformedPayloadError(`${path}.${key} is not an array`);
  v.forEach((item, i) => {
    if (!isObject(item)) throw new MalformedPayloadError(`${path}.${key}[${i}] is not an object`);
  });
  return v as Json[];
}
