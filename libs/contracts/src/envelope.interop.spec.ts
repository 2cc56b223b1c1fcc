import fc from 'fast-check';
import { CloudEvent, Kafka, type KafkaMessage } from 'cloudevents';
import { decodeEvent, encodeEvent, EventDecodeError, EventEncodeError, type DomainEvent, type EncodedRecord, type RawRecord } from './envelope';
import { EventSources } from './event-types';
import { sdkDecodeEvent, sdkEncodeEvent } from './testing/reference-codec';

/*
 * The CloudEvents SDK as the outside writer and reader of our records: what it writes we read as the
 * same event, what we write it reads as the same event, our records are the very records it wrote,
 * and every record it refused we refuse.
 */

const text = (opts: { minLength?: number } = {}) => fc.string({ unit: 'grapheme', maxLength: 40, ...opts });
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

const traceparent = fc
  .tuple(hex(32), hex(16), hex(2))
  .filter(([trace, span]) => !/^0+$/.test(trace) && !/^0+$/.test(span))
  .map(([trace, span, flags]) => `00-${trace}-${span}-${flags}`);

/** RFC 3339 timestamps: as toISOString writes them, or with an offset and any fraction. */
const time = fc.oneof(
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .tuple(fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: -23 * 60, max: 23 * 60 }), fc.stringMatching(/^(\.\d{1,9})?$/))
    .map(([d, offset, fraction]) => {
      const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 19);
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      return `${local}${fraction}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    }),
);

const source = fc.oneof(fc.constantFrom(...Object.values(EventSources)), fc.webUrl(), fc.stringMatching(/^urn:[a-z0-9]{1,8}:[a-z0-9.-]{1,20}$/), fc.stringMatching(/^\/[a-z0-9/._-]{0,20}$/));

const domainEvent: fc.Arbitrary<DomainEvent> = fc.record(
  {
    id: text({ minLength: 1 }),
    type: text({ minLength: 1 }),
    source,
    subject: text({ minLength: 1 }),
    time,
    data: fc.jsonValue(),
    traceparent,
  },
  { requiredKeys: ['id', 'type', 'source', 'time', 'data'] },
);

/** A record as kafkajs hands it to a consumer: Buffer key, value and headers. */
const delivered = (record: EncodedRecord): RawRecord => ({
  key: Buffer.from(record.key),
  value: Buffer.from(record.value),
  headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])),
});

/** The event a reader must see: the time in toISOString form, the data as JSON carries it. */
const asRead = (event: DomainEvent): DomainEvent => ({
  id: event.id,
  type: event.type,
  source: event.source,
  subject: event.subject,
  time: new Date(event.time).toISOString(),
  data: JSON.parse(JSON.stringify(event.data)),
  traceparent: event.traceparent,
});

function sdkRead(record: EncodedRecord): CloudEvent<unknown> {
  const message: KafkaMessage<string> = { key: record.key, value: record.value, body: record.value, headers: record.headers };
  return Kafka.toEvent(message) as CloudEvent<unknown>;
}

const outcome = (decode: (r: RawRecord) => DomainEvent, record: RawRecord): { event?: DomainEvent; error?: unknown } => {
  try {
    return { event: decode(record) };
  } catch (error) {
    return { error };
  }
};

describe('CloudEvents Kafka binary mode, against the CloudEvents SDK', () => {
  it('writes exactly the record the SDK wrote: same headers in the same order, same value', () => {
    fc.assert(
      fc.property(domainEvent, fc.string(), (event, key) => {
        const ours = encodeEvent(event, key);
        const sdk = sdkEncodeEvent(event, key);
        expect(Object.entries(ours.headers)).toEqual(Object.entries(sdk.headers));
        expect(ours.value).toBe(sdk.value);
        expect(ours.key).toBe(key);
      }),
      { numRuns: 300 },
    );
  });

  it('reads what the SDK writes as the same event', () => {
    fc.assert(
      fc.property(domainEvent, (event) => {
        const ce = new CloudEvent({ specversion: '1.0', id: event.id, type: event.type, source: event.source, subject: event.subject, time: event.time, datacontenttype: 'application/json', data: event.data });
        const message = Kafka.binary(ce);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers)) if (value !== undefined) headers[name] = String(value);
        if (event.traceparent) headers.traceparent = event.traceparent;
        const record = { key: 'k', value: JSON.stringify(message.value), headers };
        expect(decodeEvent(delivered(record))).toEqual(asRead(event));
      }),
      { numRuns: 300 },
    );
  });

  it('writes what the SDK reads as the same event, and reads its own records back', () => {
    fc.assert(
      fc.property(domainEvent, (event) => {
        const record = encodeEvent(event, 'k');
        const ce = sdkRead(record);
        const expected = asRead(event);
        expect({ id: ce.id, type: ce.type, source: ce.source, subject: ce.subject, time: ce.time, data: ce.data }).toEqual({ ...expected, traceparent: undefined });
        expect([ce.specversion, ce.datacontenttype]).toEqual(['1.0', 'application/json']);
        expect(decodeEvent(delivered(record))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  const HEADERS = ['ce_id', 'ce_specversion', 'ce_type', 'ce_source', 'ce_time', 'ce_subject', 'content-type', 'ce_datacontenttype', 'traceparent'];
  const headerValue = fc.oneof(
    fc.constantFrom(undefined, '', '1.0', '0.3', '1.0 ', 'application/json', 'application/json; charset=utf-8', 'application/cloudevents+json', 'application/cloudevents-batch+json', 'text/plain'),
    fc.constantFrom('2026-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01', 'yesterday', '1', '2026-01-01T23:59:60Z'),
    text(),
  );
  const recordValue = fc.oneof(fc.constantFrom<string | null>(null, '', '{nope', 'null', '[1]', '{"a":1}', '"x"', ' 7 '), fc.jsonValue().map((v) => JSON.stringify(v)), text());

  it('refuses every record the SDK refused, and reads any record it accepts as the SDK did', () => {
    const damaged = fc.record({ event: domainEvent, changes: fc.array(fc.tuple(fc.constantFrom(...HEADERS), headerValue), { maxLength: 4 }), value: fc.option(recordValue, { nil: undefined }) });
    fc.assert(
      fc.property(damaged, ({ event, changes, value }) => {
        const record = encodeEvent(event, 'k');
        for (const [name, v] of changes) {
          if (v === undefined) delete record.headers[name];
          else record.headers[name] = v;
        }
        const raw = { ...delivered(record), value: value === undefined ? record.value : value };
        const ours = outcome(decodeEvent, raw);
        const sdk = outcome(sdkDecodeEvent, raw);
        if (sdk.error) expect(ours.error).toBeInstanceOf(EventDecodeError);
        if (ours.event) {
          expect(sdk.event).toBeDefined();
          const theirs = sdk.event as DomainEvent;
          // Without ce_time both take the time of reading; an empty ce_subject the SDK kept as '', we as absent.
          expect(ours.event).toEqual({ ...theirs, subject: theirs.subject || undefined, time: record.headers.ce_time ? theirs.time : ours.event.time });
        }
        if (ours.error) expect(ours.error).toBeInstanceOf(EventDecodeError);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what the spec requires and the SDK let through, with the reason', () => {
    const record = encodeEvent({ id: 'e-1', type: 't', source: 'urn:s', time: '2026-01-01T00:00:00.000Z', data: { a: 1 } }, 'k');
    const without = (name: string) => delivered({ ...record, headers: Object.fromEntries(Object.entries(record.headers).filter(([k]) => k !== name)) });
    const withHeader = (name: string, value: string) => delivered({ ...record, headers: { ...record.headers, [name]: value } });
    expect(() => decodeEvent(without('ce_specversion'))).toThrow(/no ce_specversion/);
    expect(() => decodeEvent(without('ce_type'))).toThrow(/no ce_type/);
    expect(() => decodeEvent(without('ce_source'))).toThrow(/no ce_source/);
    expect(() => decodeEvent(withHeader('content-type', 'text/plain'))).toThrow(/declared text\/plain, not JSON/);
    expect(() => decodeEvent(withHeader('content-type', 'application/cloudevents+json'))).toThrow(/not a binary-mode CloudEvent/);
    expect(decodeEvent(without('content-type')).data).toEqual({ a: 1 });
    expect(decodeEvent(withHeader('content-type', 'application/vnd.acme+json; charset=utf-8')).data).toEqual({ a: 1 });
  });

  it('refuses to write an event the SDK refused to write, and one it silently changed', () => {
    const valid: DomainEvent = { id: 'e-1', type: 't', source: 'urn:s', subject: 's', time: '2026-01-01T00:00:00.000Z', data: {} };
    const attributes = fc.record({
      id: fc.oneof(fc.constant(''), text()),
      type: fc.oneof(fc.constant(''), text()),
      source: fc.oneof(source, text(), fc.constantFrom('', 'a b', 'http://x/%zz', '1:2', '//[::1]/x', 'a"b', 'a[b', 'http://x/a[b]', 'x]', 'a#b#c', 'http://a b', 'urn:a:%41')),
      subject: fc.oneof(fc.constantFrom(undefined, ''), text()),
      time: fc.oneof(time, fc.constantFrom('', '2026-01-01', '2026-01-01T00:00:00', '2026-01-01T00:00:00+0100', '2026-02-30T00:00:00Z', '2026-01-01T23:59:60Z', '2026-01-01 00:00:00Z', '2026-01-01\t00:00:00Z'), text()),
    });
    fc.assert(
      fc.property(attributes, (changed) => {
        const event = { ...valid, ...changed };
        let sdkError: unknown;
        try {
          sdkEncodeEvent(event, 'k');
        } catch (err) {
          sdkError = err;
        }
        const ours = (() => {
          try {
            return encodeEvent(event, 'k');
          } catch (err) {
            expect(err).toBeInstanceOf(EventEncodeError);
            return undefined;
          }
        })();
        if (sdkError) expect(ours).toBeUndefined();
        // The SDK put a random id or the current time in place of an empty one: we refuse instead.
        if (event.id === '' || event.time === '') expect(ours).toBeUndefined();
        if (ours) expect(decodeEvent(delivered(ours))).toMatchObject({ id: event.id, type: event.type, source: event.source });
      }),
      { numRuns: 1000 },
    );
    expect(() => encodeEvent({ ...valid, data: undefined }, 'k')).toThrow(/data is not JSON/);
  });
});
