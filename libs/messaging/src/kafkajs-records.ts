/**
 * kafkajs 2.2.4 encodes each produced record through a chain of growing buffers: a new Encoder per
 * record and per header, a `Buffer.from([...])` per varint, 64-bit arithmetic through its Long class
 * for every timestamp delta, then a copy of every piece into the next. Decoding a fetched record
 * rebuilds its headers object once per header (`reduce` with a spread). With the suite's CloudEvents
 * headers (ten or so per record) that was about a tenth of the gateway's CPU and a few percent of
 * every consumer's.
 *
 * Its CRC-32C of each record batch goes a byte at a time, about a third of what encoding a record
 * still costs once the above is gone.
 *
 * This replaces all three with writers of the same bytes and readers of the same values: a record is
 * measured once and written into one buffer; a fetched record's headers are gathered in one object;
 * the checksum takes eight bytes a step (slicing-by-8, the same polynomial and result).
 * A record of a shape the suite never sends (a key, value or header value that is neither a string
 * nor a Buffer, a timestamp delta beyond 2^51) is left to kafkajs's own encoder, which therefore
 * answers exactly as before, errors included.
 *
 * kafkajs binds these modules when its record batch, produce and fetch protocol modules load, so this
 * module must load before those (libs/messaging's kafka.ts imports it before kafkajs; Jest loads it as a setup
 * file). `kafkajsRecordCodecInstalled()` says whether it did.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

type Bytes = Buffer | string | null | undefined;
type HeaderValue = Buffer | string;

export interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, HeaderValue | HeaderValue[]>;
}

type RecordEncoder = (args: RecordArgs) => { buf: Buffer; offset: number; buffer: Buffer };
type RecordDecoder = (decoder: any, batchContext?: Record<string, any>) => Record<string, unknown>;

const RECORD_ENCODER = 'kafkajs/src/protocol/recordBatch/record/v0';
const RECORD_DECODER = 'kafkajs/src/protocol/recordBatch/record/v0/decoder';
const CRC32C = 'kafkajs/src/protocol/recordBatch/crc32C';
/** The modules that bind the three above when they load. */
const PRODUCE_REQUEST = 'kafkajs/src/protocol/requests/produce/v3/request';
const BATCH_DECODER = 'kafkajs/src/protocol/recordBatch/v0/decoder';
const BATCH_ENCODER = 'kafkajs/src/protocol/recordBatch/v0';

const Encoder = require('kafkajs/src/protocol/encoder') as { new (initialSize?: number): { buf: Buffer; offset: number; buffer: Buffer } };
const Long = require('kafkajs/src/utils/long') as { fromValue(v: unknown): { add(v: unknown): { toString(): string } } };
const TimestampTypes = require('kafkajs/src/protocol/timestampTypes') as { LOG_APPEND_TIME: number };

/** kafkajs's own record encoder, decoder and checksum, kept for the shapes this one leaves to them (and for tests). */
export const kafkajsRecordEncoder = require(RECORD_ENCODER) as RecordEncoder;
export const kafkajsRecordDecoder = require(RECORD_DECODER) as RecordDecoder;
export const kafkajsCrc32c = require(CRC32C) as (buffer: Buffer) => number;

const zigZag = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;
/** Zig-zag of a safe integer, exact as a double: 2n for n ≥ 0, −2n − 1 below. */
const zigZag64 = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1);

function varIntSize(unsigned: number): number {
  let size = 1;
  while (unsigned >= 0x80) {
    unsigned = Math.floor(unsigned / 0x80);
    size++;
  }
  return size;
}

function writeVarUnsigned(buf: Buffer, offset: number, unsigned: number): number {
  while (unsigned >= 0x80) {
    buf[offset++] = (unsigned % 0x80) | 0x80;
    unsigned = Math.floor(unsigned / 0x80);
  }
  buf[offset++] = unsigned;
  return offset;
}

const isBytes = (v: unknown): v is Bytes => v == null || typeof v === 'string' || Buffer.isBuffer(v);

/** Byte length of a varint-prefixed byte string's content; −1 for null (as the prefix says). */
const contentLength = (v: Bytes): number => (v == null ? -1 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);

/** Writes a byte string of content length `n` (measured once, by contentLength) with its varint prefix. */
function writeBytes(buf: Buffer, offset: number, v: Bytes, n: number): number {
  offset = writeVarUnsigned(buf, offset, zigZag(n));
  if (v == null) return offset;
  return offset + (typeof v === 'string' ? buf.write(v, offset, n, 'utf8') : v.copy(buf, offset));
}

/** The same bytes as kafkajs's record encoder, written once into a buffer of the exact size. */
export const encodeRecord: RecordEncoder = (args) => {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = args;
  if (!Number.isInteger(timestampDelta) || Math.abs(timestampDelta) > 2 ** 51 || !Number.isInteger(offsetDelta) || Math.abs(offsetDelta) > 0x3fffffff) return kafkajsRecordEncoder(args);
  if (!isBytes(key) || !isBytes(value) || headers === null || typeof headers !== 'object') return kafkajsRecordEncoder(args);
  // Key, value, then each header's name and value: every byte string of the record, in order.
  const pieces: Bytes[] = [key, value];
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    for (const one of Array.isArray(v) ? v : [v]) {
      if (typeof one !== 'string' && !Buffer.isBuffer(one)) return kafkajsRecordEncoder(args);
      pieces.push(name, one);
    }
  }
  const headerCount = (pieces.length - 2) / 2;
  const lengths = pieces.map(contentLength);
  let body = 1 + varIntSize(zigZag64(timestampDelta)) + varIntSize(zigZag(offsetDelta)) + varIntSize(zigZag(headerCount));
  for (const n of lengths) body += varIntSize(zigZag(n)) + Math.max(n, 0);
  const total = varIntSize(zigZag(body)) + body;
  const buf = Buffer.allocUnsafe(total);
  let offset = writeVarUnsigned(buf, 0, zigZag(body));
  buf[offset++] = 0; // record attributes: none
  offset = writeVarUnsigned(buf, offset, zigZag64(timestampDelta));
  offset = writeVarUnsigned(buf, offset, zigZag(offsetDelta));
  offset = writeBytes(buf, offset, key, lengths[0]);
  offset = writeBytes(buf, offset, value, lengths[1]);
  offset = writeVarUnsigned(buf, offset, zigZag(headerCount));
  for (let i = 2; i < pieces.length; i++) offset = writeBytes(buf, offset, pieces[i], lengths[i]);
  if (offset !== total) throw new Error(`record encoded to ${offset} bytes, ${total} expected`);
  // An Encoder holding exactly these bytes: the record batch copies `buffer` and reads `buf`.
  const encoder = new Encoder(0);
  encoder.buf = buf;
  encoder.offset = total;
  return encoder;
};

/** kafkajs's record decoder, with the headers gathered in one object instead of one copy per header. */
export const decodeRecord: RecordDecoder = (decoder, batchContext = {}) => {
  const { firstOffset, firstTimestamp, magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
  const attributes = decoder.readInt8();
  const timestampDelta = decoder.readVarLong();
  const timestamp = timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : Long.fromValue(firstTimestamp).add(timestampDelta).toString();
  const offsetDelta = decoder.readVarInt();
  const offset = Long.fromValue(firstOffset).add(offsetDelta).toString();
  const key = decoder.readVarIntBytes();
  const value = decoder.readVarIntBytes();
  const headers: Record<string, Buffer | null | Array<Buffer | null>> = {};
  const count = decoder.readVarInt();
  for (let i = 0; i < count; i++) {
    const name: string = decoder.readVarIntString();
    const v: Buffer | null = decoder.readVarIntBytes();
    // Looked up as kafkajs does (through the prototype too), so every name decodes to what it did.
    const before = headers[name] as unknown;
    const next = (before === undefined ? v : Array.isArray(before) ? before.concat([v]) : [before, v]) as Buffer | null | Array<Buffer | null>;
    // A header named "__proto__" is an own key, as the object spread kafkajs uses makes it.
    if (name === '__proto__') Object.defineProperty(headers, name, { value: next, enumerable: true, writable: true, configurable: true });
    else headers[name] = next;
  }
  return { magicByte, attributes, timestamp, offset, key, value, headers, isControlRecord: isControlBatch, batchContext };
};

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) tables for slicing-by-8: table t advances a byte t places. */
const CRC_TABLES: Int32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0][n];
    for (let t = 1; t < 8; t++) {
      c = tables[0][c & 0xff] ^ (c >>> 8);
      tables[t][n] = c;
    }
  }
  return tables;
})();

/** The CRC-32C kafkajs puts in a record batch, as an unsigned 32-bit number, eight bytes a step. */
export function crc32c(buffer: Buffer): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES;
  let crc = -1;
  let i = 0;
  const whole = buffer.length - (buffer.length % 8);
  for (; i < whole; i += 8) {
    const low = crc ^ (buffer[i] | (buffer[i + 1] << 8) | (buffer[i + 2] << 16) | (buffer[i + 3] << 24));
    crc =
      t7[low & 0xff] ^ t6[(low >>> 8) & 0xff] ^ t5[(low >>> 16) & 0xff] ^ t4[low >>> 24] ^
      t3[buffer[i + 4]] ^ t2[buffer[i + 5]] ^ t1[buffer[i + 6]] ^ t0[buffer[i + 7]];
  }
  for (; i < buffer.length; i++) crc = t0[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

type Registry = Record<string, { exports: unknown } | undefined>;
const cache = require.cache as Registry;
const entry = (id: string) => cache[require.resolve(id)];

/** Puts `replacement` in place of the module `id`, unless `boundBy` (which binds it when it loads) has loaded already. */
function replace(id: string, boundBy: string, replacement: unknown): boolean {
  const target = entry(id);
  if (entry(boundBy) || !target) return false;
  target.exports = replacement;
  return true;
}

const installed =
  replace(RECORD_ENCODER, PRODUCE_REQUEST, encodeRecord) && replace(RECORD_DECODER, BATCH_DECODER, decodeRecord) && replace(CRC32C, BATCH_ENCODER, crc32c);

/** True when kafkajs encodes, checksums and decodes records with this module's code (it loaded before kafkajs's protocol modules). */
export function kafkajsRecordCodecInstalled(): boolean {
  return installed;
}
