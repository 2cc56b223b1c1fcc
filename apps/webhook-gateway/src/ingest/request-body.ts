import type { IncomingMessage } from 'node:http';
import { WebhookRejection } from './webhook-rejection';

/** application/json or application/<vendor>+json; a charset other than UTF-8 is not JSON as RFC 8259 defines it. */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.!#$&^_-]+\+)?json$/;

export function checkMediaType(contentType: string | undefined): void {
  const [type, ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (!JSON_MEDIA_TYPE.test(type)) throw new WebhookRejection('UNSUPPORTED_MEDIA_TYPE');
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new WebhookRejection('UNSUPPORTED_MEDIA_TYPE');
}

/** Bytes seen so far (before reading: the declared Content-Length), for the rejection report. */
export interface BodyMeter {
  size: number;
}

export function declaredLength(req: IncomingMessage): number {
  const declared = Number(req.headers['content-length'] ?? 0);
  return Number.isSafeInteger(declared) && declared > 0 ? declared : 0;
}

/**
 * Reads the exact bytes of the body, counting while they stream in: past `limit` the request is paused
 * and refused at once, whatever Content-Length claimed. A Content-Length over the limit is refused
 * before reading anything.
 */
export function readRawBody(req: IncomingMessage, limit: number, meter: BodyMeter): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared > limit) {
    meter.size = declared;
    return Promise.reject(new WebhookRejection('BODY_TOO_LARGE'));
  }
  meter.size = 0;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const finish = (err?: WebhookRejection) => {
      req.off('data', onData).off('end', onEnd).off('aborted', onAbort).off('error', onAbort);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, meter.size));
    };
    const onData = (chunk: Buffer) => {
      meter.size += chunk.length;
      if (meter.size > limit) {
        req.pause();
        finish(new WebhookRejection('BODY_TOO_LARGE'));
      } else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onAbort = () => finish(new WebhookRejection('BODY_INCOMPLETE'));
    req.on('data', onData).on('end', onEnd).on('aborted', onAbort).on('error', onAbort);
  });
}

/**
 * After an early refusal Node would read and discard the rest of the body to keep the connection;
 * that is fine for a body known to be small, but an unbounded or oversized one must not be read:
 * the connection is closed instead.
 */
export function mustCloseAfterRefusal(req: IncomingMessage, limit: number): boolean {
  if (req.complete) return false;
  const declared = Number(req.headers['content-length'] ?? NaN);
  return !(Number.isFinite(declared) && declared <= limit);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Deepest nesting of objects and arrays accepted (the top-level object is level 1). Canonical JSON
 * (the V2 signature, the fingerprint) and JSON.stringify recurse once per level: a body within the
 * size limit can nest deep enough to overflow the stack. RFC 8259 §9 lets a parser set this limit;
 * webhooks nest a handful of levels.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text nests objects and arrays deeper than `max`, found over the raw bytes in one pass
 * (no recursion, nothing parsed). Brackets inside strings do not count; a UTF-8 multi-byte sequence
 * never contains these ASCII bytes.
 */
export function nestsDeeperThan(raw: Buffer, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte === QUOTE) i = closingQuote(raw, i);
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Where the string opened at `open` ends (the end of the text if it does not); indexOf skips its content quickly. */
function closingQuote(raw: Buffer, open: number): number {
  for (let at = raw.indexOf(QUOTE, open + 1); at >= 0; at = raw.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (raw[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return raw.length;
}

/** The body as a JSON object; invalid UTF-8 and nesting past MAX_JSON_DEPTH count as invalid JSON. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) throw new WebhookRejection('EMPTY_BODY');
  if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) throw new WebhookRejection('JSON_TOO_DEEP', `nested deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(raw));
  } catch {
    throw new WebhookRejection('INVALID_JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WebhookRejection('NOT_A_JSON_OBJECT');
  return value as Record<string, unknown>;
}
