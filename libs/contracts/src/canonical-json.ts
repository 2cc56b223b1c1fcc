/**
 * Canonical JSON: keys sorted recursively, arrays in order, compact separators, whole-valued
 * floats as integers, non-ASCII characters unescaped. JavaScript numbers already print whole
 * values without a fraction (92.0 parses to 92), and JSON.stringify leaves non-ASCII unescaped.
 *
 * Keys come in the order a JavaScript object holds them once inserted sorted: integer-like keys
 * ("2", "10") first in numeric order, then the others in code-unit order. Fingerprints and audit
 * chain hashes depend on these exact bytes, so the text is written in one pass (no sorted copy of
 * the value for JSON.stringify to walk again) with JSON.stringify's own rules: an undefined,
 * function or symbol member is left out, one in an array prints null, a Date prints as its toJSON,
 * a non-finite number as null, and any other object (a Buffer, a class instance) by its own
 * enumerable keys, whatever toJSON it has.
 */
export function canonicalJson(value: unknown): string {
  return write(value) as string;
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      return JSON.stringify(value); // throws, as JSON.stringify does for a BigInt anywhere
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i]) ?? 'null';
    }
    return out + ']';
  }
  if (value instanceof Date) return JSON.stringify(value);
  const obj = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of orderedKeys(obj)) {
    const text = write(obj[key]);
    if (text === undefined) continue;
    out += (first ? '' : ',') + quoteKey(key) + ':' + text;
    first = false;
  }
  return out + '}';
}

/** A key as JSON.stringify writes it; most need no escaping and are only quoted. */
function quoteKey(key: string): string {
  return PLAIN_KEY.test(key) ? `"${key}"` : JSON.stringify(key);
}
const PLAIN_KEY = /^[A-Za-z0-9_$.-]*$/;
/** A string JSON.stringify writes only quoted: no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters are what the test looks for
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** Own enumerable keys, sorted; integer-like keys (array indices) first, in numeric order. */
function orderedKeys(obj: object): string[] {
  const keys = Object.keys(obj).sort();
  let indices: string[] | undefined;
  for (const key of keys) if (isArrayIndex(key)) (indices ??= []).push(key);
  if (!indices) return keys;
  const rest = keys.filter((k) => !isArrayIndex(k));
  return [...indices.sort((a, b) => Number(a) - Number(b)), ...rest];
}

/** A key a JavaScript object orders first: the canonical decimal form of an integer from 0 to 2^32 − 2. */
function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  if (key === '0') return true;
  return c !== 48 && key.length <= 10 && /^\d+$/.test(key) && Number(key) < 4294967295;
}
