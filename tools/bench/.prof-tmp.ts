import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { generateEvaluationSet, generateSyntheticWatchlist, Screener, WatchlistIndex } from '@compliance/screening';
(async () => {
const entries = generateSyntheticWatchlist({ count: 50000, seed: 20240601 });
const cases = generateEvaluationSet(entries, { seed: 20240602, count: 5000 });
const s = new Screener(WatchlistIndex.build(entries));
for (const c of cases) s.screen(c.query);
const session = new Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.start');
for (let k = 0; k < 3; k++) for (const c of cases) s.screen(c.query);
const { profile } = await session.post('Profiler.stop');
writeFileSync('/tmp/prof/q.cpuprofile', JSON.stringify(profile));
})();
