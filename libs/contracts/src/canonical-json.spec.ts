import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/**
 * The form every stored fingerprint and audit-chain hash was computed with: a sorted copy of the
 * value (no prototype) handed to JSON.stringify. The one-pass writer must give the same bytes.
 */
function referenceCanonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

const outcome = (f: () => string): { text?: string; threw?: string } => {
  try {
    return { text: f() };
  } catch (err) {
    return { threw: (err as Error).constructor.name };
  }
};

const trickyKey = fc.oneof(
  fc.string(),
  fc.constantFrom('0', '1', '2', '9', '10', '01', '00', '-1', '1.5', '1e3', '4294967294', '4294967295', '99999999999', '__proto__', 'constructor', 'toJSON', ''),
);

describe('canonicalJson', () => {
  it('writes the same bytes as the sorted copy handed to JSON.stringify, for any value', () => {
    fc.assert(
      fc.property(
        fc.anything({
          key: trickyKey,
          maxDepth: 4,
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withObjectString: true,
          withSparseArray: true,
          withTypedArray: true,
        }),
        (value) => {
          expect(outcome(() => canonicalJson(value))).toEqual(outcome(() => referenceCanonicalJson(value)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('escapes strings and keys exactly as JSON.stringify does', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('\ud800', 'a\udfffb', '😀', 'a"b', 'a\\b', '\n\t\u0000\u001f', '\u2028\u2029', 'José'));
    fc.assert(
      fc.property(fc.array(text), fc.dictionary(text, text), (list, dict) => {
        expect(canonicalJson({ list, dict })).toBe(referenceCanonicalJson({ list, dict }));
      }),
      { numRuns: 2000 },
    );
  });

  it('orders integer-like keys first, numerically, and leaves out what JSON leaves out', () => {
    const value = { b: 1, 10: 2, a: [undefined, () => 1, Symbol('s'), NaN, -0, new Date(0)], 2: { z: undefined, y: () => 1, x: Infinity }, '01': Buffer.from('hi'), 4294967295: 'big' };
    expect(canonicalJson(value)).toBe('{"2":{"x":null},"10":2,"01":{"0":104,"1":105},"4294967295":"big","a":[null,null,null,null,0,"1970-01-01T00:00:00.000Z"],"b":1}');
    expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
  });
});
