import fc from 'fast-check';
import { crc32c, decodeRecord, encodeRecord, kafkajsCrc32c, kafkajsRecordCodecInstalled, kafkajsRecordDecoder, kafkajsRecordEncoder, type RecordArgs } from './kafkajs-records';

const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;

const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', 'ce_id', 'ce_type', 'toString', '__proto__', 'constructor', 'José', '😀'));
const bytes = fc.oneof(text, fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.constant(null), fc.constant(undefined));
const headerValue = fc.oneof(text, fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)));
const record: fc.Arbitrary<RecordArgs> = fc.record(
  {
    offsetDelta: fc.oneof(fc.nat(1000), fc.integer({ min: -(2 ** 30), max: 2 ** 30 - 1 })),
    timestampDelta: fc.oneof(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constantFrom(2 ** 51, -(2 ** 51), 2 ** 31, -(2 ** 31), 2 ** 32)),
    key: bytes,
    value: bytes,
    headers: fc.dictionary(text, fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })), { maxKeys: 12 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<RecordArgs>;

const context = { firstOffset: '41', firstTimestamp: '1764547200000', magicByte: 2, timestampType: 0, maxTimestamp: '1764547200999' };

describe('kafkajs record codec', () => {
  it('is what kafkajs encodes and decodes records with in this process', () => {
    expect(kafkajsRecordCodecInstalled()).toBe(true);
    expect(require('kafkajs/src/protocol/recordBatch/record/v0')).toBe(encodeRecord);
    expect(require('kafkajs/src/protocol/recordBatch/crc32C')).toBe(crc32c);
  });

  it('checksums record batches as kafkajs does (CRC-32C), whatever their length', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    expect(crc32c(Buffer.alloc(0))).toBe(kafkajsCrc32c(Buffer.alloc(0)));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(7), (bytes, skip) => {
        const buffer = Buffer.from(bytes).subarray(Math.min(skip, bytes.length)); // offsets not a multiple of 8 too
        expect(crc32c(buffer)).toBe(kafkajsCrc32c(buffer));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes the bytes kafkajs writes, for any record', () => {
    fc.assert(
      fc.property(record, (args) => {
        expect(encodeRecord(args).buffer.equals(kafkajsRecordEncoder(args).buffer)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the values kafkajs reads, headers named like Object.prototype members and repeated ones included', () => {
    fc.assert(
      fc.property(record, (args) => {
        const encoded = kafkajsRecordEncoder(args).buffer;
        // As the record batch decoder hands a record over: its length read, the rest to the record decoder.
        const after = () => {
          const d = new Decoder(encoded) as { readVarInt(): number };
          d.readVarInt();
          return d as never;
        };
        const ours = decodeRecord(after(), context);
        const theirs = kafkajsRecordDecoder(after(), context);
        expect(ours).toEqual(theirs);
        expect(Object.keys(ours.headers as object)).toEqual(Object.keys(theirs.headers as object));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a record it does not write to kafkajs, which answers as before', () => {
    const odd = { key: 7, value: 'v', headers: { a: 'x' } } as unknown as RecordArgs;
    expect(() => kafkajsRecordEncoder({ ...odd })).toThrow();
    expect(() => encodeRecord({ ...odd })).toThrow();
    const late = { value: 'v', timestampDelta: 2 ** 60 };
    expect(encodeRecord(late).buffer.equals(kafkajsRecordEncoder(late).buffer)).toBe(true);
  });
});
