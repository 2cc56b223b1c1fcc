import { randomUUID } from 'node:crypto';
import { CloudEvent, Kafka, type KafkaMessage } from 'cloudevents';
import { childTraceparent, isTraceparent } from './trace';

/** A suite event: a CloudEvent 1.0 whose data is JSON. */
export interface DomainEvent<T = unknown> {
  id: string;
  type: string;
  source: string;
  subject?: string;
  time: string;
  data: T;
  traceparent?: string;
}

/** A Kafka record in CloudEvents binary content mode, ready for a producer. */
export interface EncodedRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The shape of a record as consumers receive it (kafkajs delivers headers and value as Buffers). */
export interface RawRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export class EventDecodeError extends Error {
  readonly code = 'EVENT_UNDECODABLE';
}

export function newEvent<T>(init: {
  type: string;
  source: string;
  data: T;
  subject?: string;
  id?: string;
  time?: string | Date;
  /** The traceparent of the cause; the new event becomes a child span of it. */
  causeTraceparent?: string;
}): DomainEvent<T> {
  const time = init.time instanceof Date ? init.time.toISOString() : (init.time ?? new Date().toISOString());
  return {
    id: init.id ?? randomUUID(),
    type: init.type,
    source: init.source,
    subject: init.subject,
    time,
    data: init.data,
    traceparent: childTraceparent(init.causeTraceparent),
  };
}

export function encodeEvent(event: DomainEvent, key: string): EncodedRecord {
  // The library validates the attributes and names the ce_* headers; the data is serialised once,
  // below, so it is left out of the CloudEvent (binary mode carries it as the plain record value).
  const ce = new CloudEvent<unknown>({
    specversion: '1.0',
    id: event.id,
    type: event.type,
    source: event.source,
    subject: event.subject,
    time: event.time,
    datacontenttype: 'application/json',
  });
  const message = Kafka.binary(ce) as KafkaMessage<unknown>;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined && value !== null) headers[name] = String(value);
  }
  if (event.traceparent) headers.traceparent = event.traceparent;
  return { key, value: JSON.stringify(event.data), headers };
}

export function headerText(headers: RawRecord['headers'], name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

/** Decodes a binary-mode CloudEvents record; throws EventDecodeError with the reason when it is not one. */
export function decodeEvent(record: RawRecord): DomainEvent {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(record.headers ?? {})) {
    const v = headerText(record.headers, name);
    if (v !== undefined) headers[name] = v;
  }
  if (record.value === null || record.value === undefined) throw new EventDecodeError('record has no value');
  const text = record.value.toString();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new EventDecodeError('record value is not JSON');
  }
  let ce: CloudEvent<unknown>;
  try {
    const message: KafkaMessage<string> = { headers, key: record.key?.toString() ?? '', value: text, body: text };
    ce = Kafka.toEvent(message) as CloudEvent<unknown>;
  } catch (err) {
    throw new EventDecodeError(`not a CloudEvent: ${(err as Error).message}`);
  }
  if (ce.specversion !== '1.0') throw new EventDecodeError(`unsupported specversion ${ce.specversion}`);
  const traceparent = headers.traceparent;
  return {
    id: ce.id,
    type: ce.type,
    source: ce.source,
    subject: ce.subject,
    time: ce.time ?? new Date().toISOString(),
    data,
    traceparent: isTraceparent(traceparent) ? traceparent : undefined,
  };
}
