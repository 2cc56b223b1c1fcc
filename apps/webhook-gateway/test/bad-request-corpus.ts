import { createHmac } from 'node:crypto';
import { canonicalJson, type WebhookRejectionReason } from '@compliance/contracts';
import { diditHeaders, diditSession, nowSeconds, standardHeaders } from '@compliance/testing';
import { DIDIT_SECRET, STANDARD_SECRET, type RawRequest } from './gateway-harness';

export const LIMIT = 262144;

/** A request that must be refused, how, and (when not the body length) the size the report carries. */
export interface BadRequest {
  name: string;
  status: number;
  reason: WebhookRejectionReason;
  source?: string;
  /** Raw-socket requests (lying Content-Length, hand-made chunked bodies). */
  raw?: { head: string; body: Buffer[]; pauseMs?: number };
  request?: RawRequest;
  size?: (reported: number) => boolean;
  /** Part of the answer's message, where it says more than the code. */
  message?: string;
}

/** Every corpus payload carries this marker: it must never appear in a rejection event. */
export const MARKER = 'corpus-marker-José-Núñez';

export const hmacHex = (secret: string, data: string | Buffer) => createHmac('sha256', secret).update(data).digest('hex');

function didit(fields: Record<string, unknown> = {}) {
  const payload = diditSession('v3-approved', { vendor_data: MARKER, ...fields });
  const body = JSON.stringify(payload);
  return { payload, body, headers: diditHeaders(body, DIDIT_SECRET) };
}

/** A signed Didit request with its headers edited as raw pairs (order and name case kept). */
function diditWith(edit: (h: Record<string, string>) => Array<[string, string]>, body?: string): RawRequest {
  const signed = didit();
  const sentBody = body ?? signed.body;
  return { path: '/webhooks/didit', headers: edit({ ...signed.headers }).flat(), body: sentBody };
}

type Headers = Record<string, string> | Array<[string, string]>;
const pairs = (h: Headers): Array<[string, string]> => (Array.isArray(h) ? h : Object.entries(h));
const without = (h: Headers, ...names: string[]) => pairs(h).filter(([k]) => !names.includes(k));
const replaced = (h: Headers, name: string, value: string) => pairs(h).map(([k, v]): [string, string] => [k, k === name ? value : v]);

/** Didit with only the raw-bytes signature (the canonical one would survive body re-encoding by design). */
function v1Only(body: string, sign = body): RawRequest {
  const h = diditHeaders(sign, DIDIT_SECRET);
  return { path: '/webhooks/didit', headers: without(h, 'x-signature-v2').flat(), body };
}

/** Didit with only X-Signature-V2, computed over `signedText`. */
function v2Only(body: string, signedText: string): RawRequest {
  const h = diditHeaders(body, DIDIT_SECRET);
  return { path: '/webhooks/didit', headers: replaced(without(h, 'x-signature'), 'x-signature-v2', hmacHex(DIDIT_SECRET, signedText)).flat(), body };
}

/** Only an X-Signature-V2 (well-formed, wrong): verifying it needs the canonical JSON of the body. */
function v2Garbage(body: string): RawRequest {
  const headers = { 'content-type': 'application/json', 'x-timestamp': String(nowSeconds()), 'x-signature-v2': 'f'.repeat(64) };
  return { path: '/webhooks/didit', headers, body };
}

/** An array nested `levels` deep (as a field of the top-level object: that many levels below it). */
export function nested(levels: number): unknown {
  let value: unknown = MARKER;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** Signed over the raw bytes only: the body need not even be JSON. */
function signedDiditBody(body: string): RawRequest {
  const headers = { 'content-type': 'application/json', 'x-timestamp': String(nowSeconds()), 'x-signature': hmacHex(DIDIT_SECRET, body) };
  return { path: '/webhooks/didit', headers, body };
}

function standard(edit: (h: Record<string, string>, body: string) => { headers: Array<[string, string]>; body?: string }): RawRequest {
  const body = JSON.stringify({ type: 'verification.updated', data: { session_id: `s-${Math.random()}`, vendor_data: MARKER } });
  const out = edit(standardHeaders(body, STANDARD_SECRET), body);
  return { path: '/webhooks/standard', headers: out.headers.flat(), body: out.body ?? body };
}

// The event time is when the corpus loads: well inside the accepted age.
const FLOAT_BODY = `{"webhook_type":"status.updated","status":"Approved","session_id":"s-float","vendor_data":"${MARKER}","timestamp":${nowSeconds()},"score":92.0}`;
const JOSE_BODY = `{"webhook_type":"status.updated","status":"Approved","session_id":"s-jose","vendor_data":"${MARKER}","timestamp":${nowSeconds()},"name":"José Núñez"}`;
const sig401 = (name: string, reason: WebhookRejectionReason, request: () => RawRequest): BadRequest & { build: () => RawRequest } => ({
  name,
  status: 401,
  reason,
  build: request,
});

export function badRequests(): Array<BadRequest & { build?: () => RawRequest }> {
  // Timestamps are taken when each request is built, not when the list is: the run takes a while.
  return [
    sig401('tampered body: a field changed after signing', 'SIGNATURE_MISMATCH', () => diditWith(pairs, didit().body.replace('"Approved"', '"Declined"'))),
    sig401('tampered single character inside a string', 'SIGNATURE_MISMATCH', () => {
      const { body, headers } = didit();
      return { path: '/webhooks/didit', headers, body: body.replace('Núñez', 'Nuñez') };
    }),
    sig401('whitespace added after signing (X-Signature only)', 'SIGNATURE_MISMATCH', () => {
      const { body } = didit();
      return v1Only(`${body} `, body);
    }),
    sig401('signed with a wrong secret', 'SIGNATURE_MISMATCH', () => {
      const { body } = didit();
      return { path: '/webhooks/didit', headers: diditHeaders(body, 'not-the-didit-secret-at-all'), body };
    }),
    sig401('the valid signatures of another body', 'SIGNATURE_MISMATCH', () => {
      const other = didit();
      return { path: '/webhooks/didit', headers: other.headers, body: didit().body };
    }),
    sig401('X-Signature and X-Signature-V2 both missing', 'HEADER_MISSING', () => diditWith((h) => without(h, 'x-signature', 'x-signature-v2'))),
    sig401('X-Timestamp missing', 'HEADER_MISSING', () => diditWith((h) => without(h, 'x-timestamp'))),
    sig401('X-Signature empty and no V2', 'HEADER_MISSING', () => diditWith((h) => replaced(without(h, 'x-signature-v2'), 'x-signature', ''))),
    sig401('X-Timestamp empty', 'HEADER_MISSING', () => diditWith((h) => replaced(h, 'x-timestamp', ''))),
    sig401('no authentication headers at all', 'HEADER_MISSING', () => diditWith((h) => [['content-type', h['content-type']]])),
    sig401('header names misspelled (X_Signature, X-Time-Stamp)', 'HEADER_MISSING', () =>
      diditWith((h) => [['Content-Type', 'application/json'], ['X_Signature', h['x-signature']], ['X-Time-Stamp', h['x-timestamp']]]),
    ),
    sig401('X-Signature sent twice (one of them valid)', 'HEADER_DUPLICATED', () => diditWith((h) => [...pairs(h), ['x-signature', '0'.repeat(64)]])),
    sig401('X-Signature twice under different name cases', 'HEADER_DUPLICATED', () => diditWith((h) => [...pairs(h), ['X-SIGNATURE', h['x-signature']]])),
    sig401('X-Signature-V2 sent twice', 'HEADER_DUPLICATED', () => diditWith((h) => [...pairs(h), ['X-Signature-V2', h['x-signature-v2']]])),
    sig401('X-Timestamp sent twice', 'HEADER_DUPLICATED', () => diditWith((h) => [...pairs(h), ['X-Timestamp', h['x-timestamp']]])),
    sig401('timestamp 301 s old', 'TIMESTAMP_OUT_OF_WINDOW', () => signedAt(nowSeconds() - 301)),
    sig401('timestamp 310 s in the future', 'TIMESTAMP_OUT_OF_WINDOW', () => signedAt(nowSeconds() + 310)),
    sig401('timestamp 0 (the epoch)', 'TIMESTAMP_OUT_OF_WINDOW', () => signedAt(0)),
    sig401('non-numeric timestamp', 'TIMESTAMP_INVALID', () => diditWith((h) => replaced(h, 'x-timestamp', 'yesterday'))),
    sig401('timestamp with trailing letters', 'TIMESTAMP_INVALID', () => diditWith((h) => replaced(h, 'x-timestamp', `${nowSeconds()}abc`))),
    sig401('timestamp in milliseconds', 'TIMESTAMP_INVALID', () => diditWith((h) => replaced(h, 'x-timestamp', String(Date.now())))),
    sig401('negative timestamp', 'TIMESTAMP_INVALID', () => diditWith((h) => replaced(h, 'x-timestamp', `-${nowSeconds()}`))),
    sig401('fractional timestamp', 'TIMESTAMP_INVALID', () => diditWith((h) => replaced(h, 'x-timestamp', `${nowSeconds()}.5`))),
    sig401('signature in uppercase hex', 'SIGNATURE_MISMATCH', () => {
      const { body } = didit();
      return v1OnlyWith(body, (sig) => sig.toUpperCase());
    }),
    sig401('signature one character short', 'SIGNATURE_MISMATCH', () => v1OnlyWith(didit().body, (sig) => sig.slice(1))),
    sig401('signature in base64 instead of hex', 'SIGNATURE_MISMATCH', () => v1OnlyWith(didit().body, (sig) => Buffer.from(sig, 'hex').toString('base64'))),
    sig401('V2 over the raw body keeping 92.0 (not canonical)', 'SIGNATURE_MISMATCH', () => v2Only(FLOAT_BODY, FLOAT_BODY)),
    sig401('V2 over JSON with \\u-escaped non-ASCII (not canonical)', 'SIGNATURE_MISMATCH', () =>
      v2Only(JOSE_BODY, canonicalJson(JSON.parse(JOSE_BODY)).replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)),
    ),
    sig401('V2 over keys in their original order (not sorted)', 'SIGNATURE_MISMATCH', () => v2Only(JOSE_BODY, JSON.stringify(JSON.parse(JOSE_BODY)))),
    {
      name: 'body over the limit with an honest Content-Length',
      status: 413,
      reason: 'BODY_TOO_LARGE',
      build: () => signedDiditBody(JSON.stringify({ ...didit().payload, padding: 'x'.repeat(LIMIT) })),
    },
    {
      name: 'Content-Length claims more than the limit (answered before reading)',
      status: 413,
      reason: 'BODY_TOO_LARGE',
      raw: { head: rawHead('didit', { 'Content-Length': String(LIMIT * 40) }), body: [Buffer.from('{"a":1}')] },
      size: (n) => n === LIMIT * 40,
    },
    {
      name: 'chunked body over the limit, no Content-Length (cut off while streaming)',
      status: 413,
      reason: 'BODY_TOO_LARGE',
      raw: { head: rawHead('didit', { 'Transfer-Encoding': 'chunked' }), body: chunked(Buffer.alloc(LIMIT * 3, 'a'), 16384) },
      size: (n) => n > LIMIT && n <= LIMIT + 16384 + 16,
    },
    {
      name: 'Content-Length lower than the bytes sent: only the declared bytes are read',
      status: 400,
      reason: 'INVALID_JSON',
      raw: (() => {
        const bytes = Buffer.from(JSON.stringify({ ...didit().payload, padding: 'x'.repeat(LIMIT * 2) }));
        // The surplus arrives after the answer: Node then refuses it as a malformed next request.
        return { head: rawHead('didit', { 'Content-Length': '1000' }), body: [bytes.subarray(0, 1000), bytes.subarray(1000)], pauseMs: 300 };
      })(),
      size: (n) => n === 1000,
    },
    { name: 'invalid JSON', status: 400, reason: 'INVALID_JSON', build: () => signedDiditBody(`{"vendor_data":"${MARKER}",}`) },
    { name: 'truncated JSON', status: 400, reason: 'INVALID_JSON', build: () => signedDiditBody(didit().body.slice(0, 40)) },
    {
      name: 'invalid UTF-8 bytes',
      status: 400,
      reason: 'INVALID_JSON',
      build: () => ({ path: '/webhooks/didit', headers: diditHeaders('{}', DIDIT_SECRET), body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }),
    },
    // 100,000 levels fit in the size limit; canonical JSON (V2, the fingerprint) recursed once per level.
    {
      name: 'an object holding arrays nested 100,000 levels deep, X-Signature-V2 only',
      status: 400,
      reason: 'JSON_TOO_DEEP',
      message: 'nested deeper than 64 levels',
      build: () => v2Garbage(`{"vendor_data":"${MARKER}","a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    },
    {
      name: 'objects nested 40,000 levels deep ({"a":{"a":…), X-Signature-V2 only',
      status: 400,
      reason: 'JSON_TOO_DEEP',
      message: 'nested deeper than 64 levels',
      build: () => v2Garbage(`{"vendor_data":"${MARKER}","a":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_001)}`),
    },
    {
      name: 'an array nested 100,000 levels deep',
      status: 400,
      reason: 'JSON_TOO_DEEP',
      message: 'nested deeper than 64 levels',
      build: () => v2Garbage(`${'['.repeat(100_000)}"${MARKER}"${']'.repeat(100_000)}`),
    },
    {
      name: 'validly signed (X-Signature) Didit webhook with a field nested 100,000 levels deep',
      status: 400,
      reason: 'JSON_TOO_DEEP',
      message: 'nested deeper than 64 levels',
      build: () => signedDiditBody(JSON.stringify(didit().payload).replace(/}$/, `,"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)),
    },
    {
      name: 'nested 65 levels deep (one past the limit)',
      status: 400,
      reason: 'JSON_TOO_DEEP',
      message: 'nested deeper than 64 levels',
      build: () => signedDiditBody(JSON.stringify({ ...didit().payload, deep: nested(64) })),
    },
    { name: 'empty body', status: 400, reason: 'EMPTY_BODY', build: () => ({ path: '/webhooks/didit', headers: { ...diditHeaders('{}', DIDIT_SECRET), 'content-length': '0' }, body: '' }) },
    { name: 'JSON array', status: 400, reason: 'NOT_A_JSON_OBJECT', build: () => signedDiditBody(`[${didit().body}]`) },
    { name: 'JSON string', status: 400, reason: 'NOT_A_JSON_OBJECT', build: () => signedDiditBody(JSON.stringify(MARKER)) },
    { name: 'JSON null', status: 400, reason: 'NOT_A_JSON_OBJECT', build: () => signedDiditBody('null') },
    { name: 'JSON number', status: 400, reason: 'NOT_A_JSON_OBJECT', build: () => signedDiditBody('42') },
    ...['text/plain', '', 'application/x-www-form-urlencoded', 'application/json; charset=iso-8859-1', 'multipart/form-data; boundary=x'].map(
      (type): BadRequest & { build: () => RawRequest } => ({
        name: `content type "${type || '(none)'}"`,
        status: 415,
        reason: 'UNSUPPORTED_MEDIA_TYPE',
        build: () => diditWith((h) => replaced(h, 'content-type', type).filter(([k, v]) => k !== 'content-type' || v)),
      }),
    ),
    { name: 'unknown source', status: 404, reason: 'UNKNOWN_SOURCE', source: 'stripe', build: () => ({ ...signedDiditBody(didit().body), path: '/webhooks/stripe' }) },
    ...Object.entries({
      'session_id (neither top-level nor in decision)': { session_id: undefined, decision: undefined },
      status: { status: undefined },
      'webhook_type (nor event)': { webhook_type: undefined },
    }).map(
      ([what, change]): BadRequest & { build: () => RawRequest } => ({
        name: `validly signed Didit status.updated without ${what}`,
        status: 400,
        reason: 'PAYLOAD_FIELDS_MISSING',
        build: () => signedDiditBody(JSON.stringify({ ...didit().payload, ...change })),
      }),
    ),
    {
      name: 'validly signed Didit body without an event time (timestamp, created_at)',
      status: 400,
      reason: 'PAYLOAD_FIELDS_MISSING',
      build: () => signedDiditBody(JSON.stringify({ ...didit().payload, timestamp: undefined, created_at: undefined })),
    },
    // A captured body sent again 40 days later with a fresh X-Timestamp: the MAC does not cover the
    // header, but it covers the body's timestamp.
    sig401('a 40-day-old signed body replayed with a fresh X-Timestamp', 'EVENT_TOO_OLD', () =>
      signedDiditBody(JSON.stringify({ ...didit().payload, timestamp: nowSeconds() - 40 * 86_400, created_at: nowSeconds() - 40 * 86_400 - 30 })),
    ),
    sig401('a signed body one day and a minute old', 'EVENT_TOO_OLD', () => signedDiditBody(JSON.stringify({ ...didit().payload, timestamp: nowSeconds() - 86_460 }))),
    {
      name: 'validly signed Didit body whose session_id is a number',
      status: 400,
      reason: 'PAYLOAD_FIELDS_MISSING',
      build: () => signedDiditBody(JSON.stringify({ ...didit().payload, session_id: 42, decision: undefined })),
    },
    ...standardCases().map((c) => ({ ...c, source: 'standard' })),
  ];
}

function standardCases(): Array<BadRequest & { build: () => RawRequest }> {
  return [
    sig401('standard: webhook-id missing', 'HEADER_MISSING', () => standard((h) => ({ headers: without(h, 'webhook-id') }))),
    sig401('standard: webhook-signature missing', 'HEADER_MISSING', () => standard((h) => ({ headers: without(h, 'webhook-signature') }))),
    sig401('standard: webhook-timestamp missing', 'HEADER_MISSING', () => standard((h) => ({ headers: without(h, 'webhook-timestamp') }))),
    sig401('standard: webhook-signature sent twice', 'HEADER_DUPLICATED', () => standard((h) => ({ headers: [...pairs(h), ['Webhook-Signature', h['webhook-signature']]] }))),
    sig401('standard: only a v1a entry', 'SIGNATURE_MISMATCH', () =>
      standard((h) => ({ headers: replaced(h, 'webhook-signature', h['webhook-signature'].replace('v1,', 'v1a,')) })),
    ),
    sig401('standard: several signatures, none valid', 'SIGNATURE_MISMATCH', () =>
      standard((h) => ({ headers: replaced(h, 'webhook-signature', `v1,${Buffer.alloc(32, 1).toString('base64')} v2,${h['webhook-signature'].slice(3)} v1,bm9wZQ==`) })),
    ),
    sig401('standard: signed with another whsec secret', 'SIGNATURE_MISMATCH', () =>
      standard((_, body) => ({ headers: pairs(standardHeaders(body, `whsec_${Buffer.alloc(32, 9).toString('base64')}`)) })),
    ),
    sig401('standard: body tampered', 'SIGNATURE_MISMATCH', () => standard((h, body) => ({ headers: pairs(h), body: body.replace('verification', 'verificatiom') }))),
    sig401('standard: webhook-id changed after signing', 'SIGNATURE_MISMATCH', () => standard((h) => ({ headers: replaced(h, 'webhook-id', `${h['webhook-id']}x`) }))),
    sig401('standard: timestamp changed after signing, still fresh', 'SIGNATURE_MISMATCH', () =>
      standard((h) => ({ headers: replaced(h, 'webhook-timestamp', String(Number(h['webhook-timestamp']) - 1)) })),
    ),
    sig401('standard: signed 301 s ago', 'TIMESTAMP_OUT_OF_WINDOW', () =>
      standard((_, body) => ({ headers: pairs(standardHeaders(body, STANDARD_SECRET, undefined, new Date((nowSeconds() - 301) * 1000))) })),
    ),
    sig401('standard: non-numeric webhook-timestamp', 'TIMESTAMP_INVALID', () => standard((h) => ({ headers: replaced(h, 'webhook-timestamp', 'now') }))),
  ];
}

function signedAt(timestamp: number): RawRequest {
  const { body } = didit();
  return { path: '/webhooks/didit', headers: diditHeaders(body, DIDIT_SECRET, timestamp), body };
}

function v1OnlyWith(body: string, mangle: (sig: string) => string): RawRequest {
  const h = diditHeaders(body, DIDIT_SECRET);
  return { path: '/webhooks/didit', headers: replaced(without(h, 'x-signature-v2'), 'x-signature', mangle(h['x-signature'])).flat(), body };
}

function rawHead(source: string, extra: Record<string, string>): string {
  const lines = [`POST /webhooks/${source} HTTP/1.1`, 'Host: {host}', 'Content-Type: application/json', `X-Timestamp: ${nowSeconds()}`, `X-Signature: ${'0'.repeat(64)}`];
  return `${[...lines, ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)].join('\r\n')}\r\n\r\n`;
}

function chunked(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) {
    const part = data.subarray(i, i + size);
    out.push(Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]));
  }
  out.push(Buffer.from('0\r\n\r\n'));
  return out;
}
