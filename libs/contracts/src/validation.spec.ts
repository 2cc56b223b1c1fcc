import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';
import type { DomainEvent } from './envelope';
import { EventTypes, kycEventType } from './event-types';
import { VALID_EVENT_DATA } from './testing/event-samples';
import { classValidatorValidateEvent } from './testing/reference-codec';
import { dataClassOf, EventValidationError, validateEvent } from './validation';

const TYPES = Object.keys(VALID_EVENT_DATA);
const eventOf = (type: string, data: unknown): DomainEvent => ({ id: 'e-1', type, source: 'urn:test', time: '2026-01-01T00:00:00.000Z', data });

/** 'valid', or the EventValidationError message; anything else thrown fails the test. */
function verdict(validate: (event: DomainEvent) => void, event: DomainEvent): string {
  try {
    validate(event);
    return 'valid';
  } catch (err) {
    if (!(err instanceof EventValidationError)) throw err;
    return err.message;
  }
}

/** Our verdict, after checking that validateSync (the reference) gives exactly the same. */
function checked(type: string, data: unknown): string {
  const ours = verdict(validateEvent, eventOf(type, data));
  expect(ours).toBe(verdict(classValidatorValidateEvent, eventOf(type, data)));
  return ours;
}

type Path = Array<string | number>;

function pathsIn(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsIn(v, [...prefix, i])]).concat([[...prefix, value.length]]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsIn(v, [...prefix, k])]);
  return [];
}

/** The data with `value` at `path` (removed when undefined); unchanged when the path no longer leads anywhere. */
function withValue(data: Record<string, unknown>, path: Path, value: unknown): Record<string, unknown> {
  let parent: Record<string | number, unknown> = data;
  for (const step of path.slice(0, -1)) {
    const next = parent[step];
    if (next === null || typeof next !== 'object') return data;
    parent = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  // A copy: a later change may reach into it, and fast-check's values must stay as generated.
  if (value === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = structuredClone(value);
  return data;
}

const propertiesOf = (type: string): string[] => {
  const cls = dataClassOf(type);
  if (!cls) throw new Error(`no DTO for ${type}`);
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(cls, '', false, false).map((m) => m.propertyName))];
};

const leaves = (value: unknown): unknown[] =>
  Array.isArray(value) ? value.flatMap(leaves) : value && typeof value === 'object' ? [value, ...Object.values(value).flatMap(leaves)] : [value];
const SAMPLE_VALUES = [...new Set(Object.values(VALID_EVENT_DATA).flatMap((d) => Object.values(d).flatMap(leaves)))];

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, '', [], {}, true, 0, -1, 1.5, 29, 3651, Number.NaN, Number.POSITIVE_INFINITY),
  fc.constantFrom(...SAMPLE_VALUES),
  fc.constantFrom('2026-02-30T00:00:00Z', '2026-01-01', '2026-01-01T10:00:00+02:00', 'yesterday', 'AB'.repeat(32), 'not_started', 'low', 'Ed25519'),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constantFrom(...SAMPLE_VALUES)), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);

describe('validateEvent (validators compiled from the DTOs)', () => {
  it('accepts a complete valid event of every type, as validateSync does', () => {
    for (const type of TYPES) expect([type, checked(type, VALID_EVENT_DATA[type])]).toEqual([type, 'valid']);
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    ['a value outside the enum', EventTypes.RetentionPolicyChanged, { category: 'not-a-category' }, 'category: isIn'],
    ['a missing required string', EventTypes.WebhookRejected, { reason: undefined }, 'reason: isNotEmpty; reason: isString'],
    ['a payload that is neither an object nor sealed', EventTypes.WebhookReceived, { payload: 'x' }, 'payload: isObjectOrSealed'],
    ['a payload that is an array', EventTypes.WebhookReceived, { payload: [1] }, 'payload: isObjectOrSealed'],
    ['retention below the minimum', EventTypes.RetentionPolicyChanged, { retentionDays: 10 }, 'retentionDays: min'],
    ['a timestamp that is not ISO 8601', EventTypes.AmlScreeningFailed, { failedAt: 'yesterday' }, 'failedAt: isIso8601'],
    ['a hash that is not 64 hex digits', EventTypes.AuditCheckpoint, { hash: 'AB'.repeat(32) }, 'hash: matches'],
    ['a nested identity without a name', kycEventType('approved'), { identity: { dateOfBirth: 7 } }, 'identity.fullName: isNotEmpty; identity.fullName: isString; identity.dateOfBirth: isString'],
    ['a decision that is not an object', kycEventType('approved'), { decision: 'x' }, 'decision: nestedValidation'],
    ['a hit that is not an object', EventTypes.AmlScreeningCompleted, { hits: [null, { list: 'ofac' }] }, 'hits.0: nestedValidation; hits.1.entityId: isString; hits.1.matchedName: isString; hits.1.score: isNumber'],
    ['hits that are an object', EventTypes.AmlScreeningCompleted, { hits: { list: 1 } }, 'hits: isArray; hits.list: isString; hits.entityId: isString; hits.matchedName: isString; hits.score: isNumber'],
    ['a list of fields with a number', EventTypes.KycIdentityAccessed, { fields: ['fullName', 3] }, 'fields: isString'],
  ])('rejects %s with the message validateSync gives', (_what, type, change, message) => {
    const data = Object.entries(change).reduce((d, [k, v]) => withValue(d, [k], v), structuredClone(VALID_EVENT_DATA[type]));
    expect(checked(type, data)).toBe(`invalid ${type}: ${message}`);
  });

  it('takes null for an indefinite retention and a null previous status, as the DTOs allow', () => {
    expect(checked(EventTypes.RetentionPolicyChanged, { ...VALID_EVENT_DATA[EventTypes.RetentionPolicyChanged], retentionDays: null, previousDays: null })).toBe('valid');
    expect(checked(kycEventType('in_review'), { ...VALID_EVENT_DATA[kycEventType('in_review')], previousStatus: null })).toBe('valid');
  });

  it('refuses an unknown type and data that is not an object', () => {
    expect(checked('no.such.type', {})).toBe('unknown event type no.such.type');
    expect(checked(kycEventType('approved').replace('approved', 'nope'), {})).toMatch(/unknown event type/);
    for (const data of [null, [], 'x', 3]) expect(checked(EventTypes.WebhookRejected, data)).toBe('data of webhook.rejected is not an object');
  });

  it('reports at most five violations', () => {
    expect(checked(EventTypes.AmlScreeningCompleted, {}).split('; ')).toHaveLength(5);
  });

  it('gives the verdict and message of validateSync for any change to a valid event', () => {
    const variant = fc.constantFrom(...TYPES).chain((type) =>
      fc.record({
        type: fc.constant(type),
        changes: fc.array(fc.tuple(fc.constantFrom(...pathsIn(VALID_EVENT_DATA[type]), ...propertiesOf(type).map((p) => [p])), anyValue), { minLength: 1, maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(variant, ({ type, changes }) => {
        const data = changes.reduce((d, [path, value]) => withValue(d, path, value), structuredClone(VALID_EVENT_DATA[type]));
        checked(type, JSON.parse(JSON.stringify(data)));
        checked(type, data);
      }),
      { numRuns: 1500 },
    );
  });

  it('gives the verdict and message of validateSync for arbitrary objects', () => {
    const arbitrary = fc.constantFrom(...TYPES).chain((type) =>
      fc.record({ type: fc.constant(type), data: fc.dictionary(fc.constantFrom(...propertiesOf(type), '__proto__', 'extra'), anyValue) }),
    );
    fc.assert(
      fc.property(arbitrary, ({ type, data }) => {
        checked(type, JSON.parse(JSON.stringify(data)));
      }),
      { numRuns: 1000 },
    );
  });
});
