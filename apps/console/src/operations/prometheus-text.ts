/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** The samples of the metrics named (all when none are), comments and other lines skipped. */
export function parsePrometheus(text: string, names?: readonly string[]): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m || (names && !names.includes(m[1]))) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = unescape(l[2]);
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (!Number.isNaN(value)) out.push({ name: m[1], labels, value });
  }
  return out;
}

/** Sums of a metric's samples grouped by the given labels (`a=x, b=y` keys; `total` without labels). */
export function sumBy(samples: Sample[], name: string, by: string[]): Array<{ key: Record<string, string>; value: number }> {
  const sums = new Map<string, { key: Record<string, string>; value: number }>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = Object.fromEntries(by.map((l) => [l, s.labels[l] ?? '']));
    const id = JSON.stringify(key);
    const entry = sums.get(id) ?? { key, value: 0 };
    entry.value += s.value;
    sums.set(id, entry);
  }
  return [...sums.values()].sort((a, b) => b.value - a.value);
}
