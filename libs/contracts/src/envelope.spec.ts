import { canonicalJson } from './canonical-json';
import { decodeEvent, encodeEvent, EventDecodeError, newEvent } from './envelope';
import { EventTypes } from './event-types';
import { isTraceparent, traceIdOf } from './trace';
import { EventValidationError, validateEvent } from './validation';

const rejected = () =>
  newEvent({
    type: EventTypes.WebhookRejected,
    source: 'urn:compliance:webhook-gateway',
    subject: 'didit',
    data: { source: 'didit', reason: 'SIGNATURE_INVALID', status: 401, remoteAddress: '10.0.0.1', size: 12, receivedAt: new Date().toISOString() },
  });

describe('CloudEvents binary mode envelope', () => {
  it('round-trips through a Kafka record with ce_* headers and a plain JSON value', () => {
    const event = rejected();
    const record = encodeEvent(event, 'didit');
    expect(record.headers.ce_type).toBe(EventTypes.WebhookRejected);
    expect(JSON.parse(record.value)).toEqual(event.data);
    const decoded = decodeEvent({ key: Buffer.from(record.key), value: Buffer.from(record.value), headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])) });
    expect(decoded).toEqual(event);
  });

  it('refuses a record that is not JSON or has no CloudEvents headers', () => {
    expect(() => decodeEvent({ value: Buffer.from('{nope'), headers: {} })).toThrow(EventDecodeError);
    expect(() => decodeEvent({ value: Buffer.from('{}'), headers: {} })).toThrow(EventDecodeError);
  });

  it('validates data against the DTO of its type', () => {
    expect(() => validateEvent(rejected())).not.toThrow();
    expect(() => validateEvent({ ...rejected(), data: { source: 'didit' } })).toThrow(EventValidationError);
    expect(() => validateEvent({ ...rejected(), type: 'no.such.type' })).toThrow(/unknown event type/);
  });

  it('propagates the trace: a caused event continues the trace of its cause, naming the same parent span', () => {
    const cause = rejected();
    const effect = newEvent({ type: EventTypes.WebhookRejected, source: 's', data: {}, causeTraceparent: cause.traceparent });
    expect(effect.traceparent).toBe(cause.traceparent);
    const fresh = newEvent({ type: EventTypes.WebhookRejected, source: 's', data: {}, causeTraceparent: 'garbage' });
    expect(isTraceparent(fresh.traceparent)).toBe(true);
    expect(traceIdOf(fresh.traceparent)).toHaveLength(32);
    expect(traceIdOf(fresh.traceparent)).not.toBe(traceIdOf(cause.traceparent));
  });
});

describe('canonical JSON', () => {
  it('sorts keys recursively, keeps array order, writes whole floats as integers and leaves non-ASCII unescaped', () => {
    const parsed = JSON.parse('{"b":[{"z":1,"a":92.0}],"a":"José Núñez","c":{"y":true,"x":null}}');
    expect(canonicalJson(parsed)).toBe('{"a":"José Núñez","b":[{"a":92,"z":1}],"c":{"x":null,"y":true}}');
    // Integer-like keys first, in numeric order (as a JavaScript object orders them); fingerprints and
    // audit-chain hashes depend on this order staying as it is.
    expect(canonicalJson(JSON.parse('{"b":1,"10":2,"a":3,"2":4,"01":6}'))).toBe('{"2":4,"10":2,"01":6,"a":3,"b":1}');
  });
});
