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

/** The body as a JSON object; invalid UTF-8 counts as invalid JSON. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) throw new WebhookRejection('EMPTY_BODY');
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(raw));
  } catch {
    throw new WebhookRejection('INVALID_JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WebhookRejection('NOT_A_JSON_OBJECT');
  return value as Record<string, unknown>;
}
