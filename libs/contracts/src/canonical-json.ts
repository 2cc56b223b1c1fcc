/**
 * Canonical JSON: keys sorted recursively, arrays in order, compact separators, whole-valued
 * floats as integers, non-ASCII characters unescaped. JavaScript numbers already print whole
 * values without a fraction (92.0 parses to 92), and JSON.stringify leaves non-ASCII unescaped.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    // No prototype: a "__proto__" key in a parsed payload must stay a key, not vanish into a prototype
    // (two different bodies would otherwise share one canonical form, hence one V2 signature).
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
