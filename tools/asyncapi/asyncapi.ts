import { getMetadataStorage } from 'class-validator';
import { stringify } from 'yaml';
import { CATALOGUE_TOPICS, dataClassOf, KYC_STATUSES, kycEventType, TOPIC_CONTRACTS } from '../../libs/contracts/src';

const JSON_TYPES: Record<string, string> = {
  isString: 'string',
  isNotEmpty: 'string',
  isISO8601: 'string',
  matches: 'string',
  isIn: 'string',
  isInt: 'integer',
  isNumber: 'number',
  isBoolean: 'boolean',
  isArray: 'array',
  isObject: 'object',
  nestedValidation: 'object',
};

/** The JSON schema of an event's data, read from the class-validator metadata of its DTO. */
export function dataSchema(cls: new () => object): Record<string, unknown> {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const properties: Record<string, Record<string, unknown>> = {};
  const optional = new Set<string>();
  for (const m of metas) {
    if (m.type === 'conditionalValidation') optional.add(m.propertyName);
    const name = m.name ?? m.type;
    const prop = (properties[m.propertyName] ??= {});
    const t = JSON_TYPES[name as string] ?? JSON_TYPES[m.type];
    if (t && (!prop.type || prop.type === 'string')) prop.type = m.each ? 'array' : t;
    if (name === 'isIn') prop.enum = m.constraints?.[0];
    if (name === 'isObjectOrSealed' || name === 'sealable') prop['x-sealable'] = true;
  }
  // Personal data a producer with a keyring seals: the value may be a SealedValue instead.
  for (const prop of Object.values(properties)) {
    if (!prop['x-sealable']) continue;
    if (prop.type === 'string') prop.description = 'personal data: sealed (a SealedValue string) when the producer has a keyring';
    else {
      delete prop.type;
      prop.oneOf = [{ type: 'object' }, { $ref: '#/components/schemas/SealedValue' }];
    }
  }
  const required = Object.keys(properties).filter((p) => !optional.has(p)).sort();
  return { type: 'object', required, properties: Object.fromEntries(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b))) };
}

function typesOf(topic: string): string[] {
  return TOPIC_CONTRACTS[topic as keyof typeof TOPIC_CONTRACTS].types.flatMap((t) => (t === 'kyc.verification.<status>' ? KYC_STATUSES.map(kycEventType) : [t]));
}

const messageName = (type: string) => type.replace(/\./g, '_');

/** An AsyncAPI 3.0 document of every topic and event, generated from libs/contracts. */
export function asyncApiDocument(): string {
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const topic of CATALOGUE_TOPICS) {
    const c = TOPIC_CONTRACTS[topic];
    const types = typesOf(topic);
    channels[topic] = {
      address: topic,
      description: `${c.description} Record key: ${c.key}. Produced by ${c.producers.join(', ')}.`,
      messages: Object.fromEntries(types.map((t) => [messageName(t), { $ref: `#/components/messages/${messageName(t)}` }])),
    };
    operations[`consume_${topic.replace(/\./g, '_')}`] = { action: 'receive', channel: { $ref: `#/channels/${topic}` } };
    for (const t of types) {
      const cls = dataClassOf(t);
      messages[messageName(t)] = {
        name: t,
        contentType: 'application/json',
        headers: { $ref: '#/components/schemas/CloudEventHeaders' },
        bindings: { kafka: { key: { type: 'string', description: c.key } } },
        payload: cls ? dataSchema(cls) : { type: 'object' },
      };
    }
  }
  return stringify(
    {
      asyncapi: '3.0.0',
      info: {
        title: 'Compliance flow events',
        version: '1.0.0',
        description:
          'Downstream Kafka topics of the compliance suite. Every record is a CloudEvent 1.0 in Kafka binary content mode: ce_* headers, a W3C traceparent header, and the JSON data as the value. Generated from libs/contracts (npm run asyncapi); a test keeps it in step.',
      },
      defaultContentType: 'application/json',
      channels,
      operations,
      components: {
        messages,
        schemas: {
          CloudEventHeaders: {
            type: 'object',
            required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type'],
            properties: {
              ce_specversion: { type: 'string', const: '1.0' },
              ce_id: { type: 'string' },
              ce_source: { type: 'string' },
              ce_type: { type: 'string' },
              ce_time: { type: 'string', format: 'date-time' },
              ce_subject: { type: 'string', description: 'verification session id, else subjectRef' },
              'content-type': { type: 'string', const: 'application/json' },
              traceparent: { type: 'string', description: 'W3C Trace Context' },
              ce_datakeyid: { type: 'string', description: 'the data key the sealed fields of the data are encrypted under (present when there are any)' },
            },
          },
          SealedValue: {
            type: 'string',
            pattern: '^sealed\\.v1\\.',
            description:
              "Personal data encrypted under the data key of the person it is about (crypto-shredding): sealed.v1.<keyId>.<iv>.<tag>.<ciphertext>, base64url parts, AES-256-GCM over the field's JSON with the event id and the field's path as additional data. An authorised consumer opens an event with openEvent(event, keys) from libs/contracts (keys: the suite's keyring, LocalKeyring in libs/persistence). After an erasure the key is destroyed and the value can never be opened again. Sealed fields (SEALED_FIELDS in libs/contracts): webhook.received payload; kyc.verification.* identity; aml.screening.completed hits[].matchedName and hits[].entityName; compliance.alert.raised summary and details (screening alerts); compliance.alert.review.proposed and compliance.alert.resolved note; retention.erasure.requested reason (sealed under the key that erasure destroys: unreadable on the topic). See docs/privacy.md.",
          },
        },
      },
    },
    { lineWidth: 0 },
  );
}
