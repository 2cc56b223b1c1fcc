import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { CloudEvent, Kafka, type KafkaMessage } from 'cloudevents';
import { EventDecodeError, headerText, type DomainEvent, type EncodedRecord, type RawRecord } from '../envelope';
import { isTraceparent } from '../trace';
import { dataClassOf, EventValidationError } from '../validation';

/*
 * The codec as it was built on the CloudEvents SDK and class-validator's validateSync: the outside
 * reference the property tests compare the direct codec with, and the "before" of the codec benchmark.
 * Not for production use: it costs a CloudEvent object and a class-transformer copy of the data per record.
 */

export function sdkEncodeEvent(event: DomainEvent, key: string): EncodedRecord {
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

export function sdkDecodeEvent(record: RawRecord): DomainEvent {
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

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.keys(e.constraints ?? {}).map((c) => `${path}: ${c}`);
    return [...own, ...describe(e.children ?? [], path)];
  });
}

export function classValidatorValidateEvent(event: DomainEvent): void {
  const cls = dataClassOf(event.type);
  if (!cls) throw new EventValidationError(`unknown event type ${event.type}`);
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new EventValidationError(`data of ${event.type} is not an object`);
  }
  const errors = validateSync(plainToInstance(cls, event.data), { forbidUnknownValues: false });
  if (errors.length) throw new EventValidationError(`invalid ${event.type}: ${describe(errors).slice(0, 5).join('; ')}`);
}
