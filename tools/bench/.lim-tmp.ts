import { generateEvaluationSet, generateSyntheticWatchlist, Screener, WatchlistIndex } from '@compliance/screening';
const entries = generateSyntheticWatchlist({ count: 50000, seed: 20240601 });
const cases = generateEvaluationSet(entries, { seed: 20240602, count: 5000 });
const idx = WatchlistIndex.build(entries);
for (const limit of [20, 30, 50, 100, 200]) {
  const s = new Screener(idx, { candidateLimit: limit });
  let found = 0, total = 0;
  const t0 = performance.now(); const c0 = process.cpuUsage();
  for (const c of cases) { const r = s.screen(c.query); if (c.expected) { total++; if (r.hits.some(h => h.entityId === c.expected!.entityId)) found++; } }
  { const cu = process.cpuUsage(c0); console.log(limit, "recall", (found / total).toFixed(4), "wall ms/q", ((performance.now() - t0) / cases.length).toFixed(3), "cpu ms/q", ((cu.user + cu.system) / 1000 / cases.length).toFixed(3)); }
}
