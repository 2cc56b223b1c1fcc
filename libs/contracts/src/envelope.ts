import { randomUUID } from 'node:crypto';
import { isRfc3339, isUriReference } from './ce-attributes';
import { isTraceparent, newTraceparent } from './trace';

/** A suite event: a CloudEvent 1.0 whose data is JSON. */
export interface DomainEvent<T = unknown> {
  id: string;
  type: string;
  source: string;
  subject?: string;
  time: string;
  data: T;
  traceparent?: string;
  /**
   * CloudEvents extension `datakeyid` (header `ce_datakeyid`): the data key its sealed fields are
   * encrypted under (see sealed-fields.ts), when it has any.
   */
  datakeyid?: string;
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

/** An event that cannot be a CloudEvent (a bug in its producer): it is never written. */
export class EventEncodeError extends Error {
  readonly code = 'EVENT_UNENCODABLE';
}

export function newEvent<T>(init: {
  type: string;
  source: string;
  data: T;
  subject?: string;
  id?: string;
  time?: string | Date;
  /**
   * The traceparent of the cause: the new event continues its trace, naming the same parent span
   * (the span that processed the cause, when tracing is on). A fresh trace when absent or invalid.
   */
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
    traceparent: isTraceparent(init.causeTraceparent) ? init.causeTraceparent : newTraceparent(),
  };
}

const JSON_CONTENT_TYPE = 'application/json';
/** `application/json`, or any `+json` media type, with or without parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[^;\s]+\+)?json\s*(?:;|$)/i;
/** Structured and batched content modes (`application/cloudevents+json`, `application/cloudevents-batch+json`). */
const STRUCTURED_MODE = /^application\/cloudevents/i;

/**
 * A Kafka record in CloudEvents binary content mode: the attributes as `ce_*` headers, the data as
 * the JSON value. The headers, and their order, are those the CloudEvents SDK wrote (including its
 * `ce_datacontenttype` next to `content-type`), so records stay byte-for-byte what consumers know.
 */
export function encodeEvent(event: DomainEvent, key: string): EncodedRecord {
  const problem = attributeProblem(event);
  if (problem) throw new EventEncodeError(`event ${event.type} cannot be a CloudEvent: ${problem}`);
  const value = JSON.stringify(event.data);
  if (typeof value !== 'string') throw new EventEncodeError(`event ${event.type} cannot be a CloudEvent: its data is not JSON`);
  const headers: Record<string, string> = {
    'content-type': JSON_CONTENT_TYPE,
    ce_id: event.id,
    ce_time: event.time,
    ce_type: event.type,
    ce_source: event.source,
    ce_specversion: '1.0',
    ce_datacontenttype: JSON_CONTENT_TYPE,
  };
  if (event.subject !== undefined && event.subject !== null) headers.ce_subject = event.subject;
  if (event.traceparent) headers.traceparent = event.traceparent;
  if (event.datakeyid) headers.ce_datakeyid = event.datakeyid;
  return { key, value, headers };
}

/** What the CloudEvents 1.0 spec forbids in the attributes, as the SDK checked it before writing. */
function attributeProblem(event: DomainEvent): string | undefined {
  if (!nonEmpty(event.id)) return 'id must be a non-empty string';
  if (!nonEmpty(event.type)) return 'type must be a non-empty string';
  if (!nonEmpty(event.source) || !isUriReference(event.source)) return 'source must be a URI-reference';
  if (event.subject !== undefined && event.subject !== null && !nonEmpty(event.subject)) return 'subject must be a non-empty string';
  if (typeof event.time !== 'string' || !isRfc3339(event.time)) return 'time must be an RFC 3339 timestamp';
  return undefined;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

export function headerText(headers: RawRecord['headers'], name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined || first === null ? undefined : first.toString();
}

/**
 * Decodes a binary-mode CloudEvents record; throws EventDecodeError with the reason when it is not
 * one. Everything the CloudEvents SDK refused is refused (no `ce_id`, an unreadable `ce_time`, a
 * specversion other than 1.0, a value that is not JSON), and so is what the spec requires that the
 * SDK let through: `ce_specversion`, `ce_source` and `ce_type` present, data declared as JSON, binary
 * mode. As the SDK did, `ce_time` is normalised to `toISOString()` form and defaults to now; an empty
 * `ce_subject` counts as absent.
 */
export function decodeEvent(record: RawRecord): DomainEvent {
  if (record.value === null || record.value === undefined) throw new EventDecodeError('record has no value');
  const h = record.headers;
  const contentType = headerText(h, 'content-type');
  if (contentType !== undefined && STRUCTURED_MODE.test(contentType)) throw new EventDecodeError(`not a binary-mode CloudEvent: content-type ${contentType}`);
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) throw new EventDecodeError(`record value is declared ${contentType}, not JSON`);
  const id = headerText(h, 'ce_id');
  const specversion = headerText(h, 'ce_specversion');
  const type = headerText(h, 'ce_type');
  const source = headerText(h, 'ce_source');
  if (!id) throw new EventDecodeError('not a CloudEvent: no ce_id header');
  if (!specversion) throw new EventDecodeError('not a CloudEvent: no ce_specversion header');
  if (specversion !== '1.0') throw new EventDecodeError(`unsupported specversion ${specversion}`);
  if (!type) throw new EventDecodeError('not a CloudEvent: no ce_type header');
  if (!source) throw new EventDecodeError('not a CloudEvent: no ce_source header');
  const time = timeOf(headerText(h, 'ce_time'));
  let data: unknown;
  try {
    data = JSON.parse(record.value.toString());
  } catch {
    throw new EventDecodeError('record value is not JSON');
  }
  const traceparent = headerText(h, 'traceparent');
  const event: DomainEvent = {
    id,
    type,
    source,
    subject: headerText(h, 'ce_subject') || undefined,
    time,
    data,
    traceparent: isTraceparent(traceparent) ? traceparent : undefined,
  };
  const datakeyid = headerText(h, 'ce_datakeyid');
  if (datakeyid) event.datakeyid = datakeyid;
  return event;
}

function timeOf(header: string | undefined): string {
  if (!header) return new Date().toISOString();
  const ms = Date.parse(header);
  if (Number.isNaN(ms)) throw new EventDecodeError(`not a CloudEvent: ce_time ${JSON.stringify(header.slice(0, 40))} is not a timestamp`);
  return new Date(ms).toISOString();
}
