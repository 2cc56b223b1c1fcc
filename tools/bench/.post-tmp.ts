import { generateEvaluationSet, generateSyntheticWatchlist, WatchlistIndex, prepareName } from '@compliance/screening';
import { blockingKeys } from '../../libs/screening/src/lib/matching/blocking-keys';
const entries = generateSyntheticWatchlist({ count: 50000, seed: 20240601 });
const cases = generateEvaluationSet(entries, { seed: 20240602, count: 2000 });
const idx = WatchlistIndex.build(entries) as any;
const byType: Record<string, number> = {};
let touchedTotal = 0;
for (const c of cases) {
  const q = prepareName(c.query.fullName);
  const touched = new Set<number>();
  for (const t of q.tokens) for (const k of blockingKeys(t)) { const p = idx.postings.get(k.key) ?? []; byType[k.key[0]] = (byType[k.key[0]] ?? 0) + p.length; for (const id of p) touched.add(id); }
  touchedTotal += touched.size;
}
console.log('postings iterated per query by type', Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, Math.round(v / cases.length)])), 'touched/query', Math.round(touchedTotal / cases.length));
const sizes = [...idx.postings.entries()].sort((a: any, b: any) => b[1].length - a[1].length).slice(0, 15).map(([k, v]: any) => `${k}:${v.length}`);
console.log(sizes.join(' '), 'keys', idx.postings.size);
