/**
 * The functions that took the most CPU in a V8 profile (`node --cpu-prof`): self time and the
 * share of all samples, heaviest first; idle and GC shown as such.
 *
 *   npx tsx tools/bench/profile-summary.ts .cache/profiles/CPU.<…>.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (!positionals[0]) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;

// Self time per node: each sample's following delta is charged to the sampled node.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
const byFunction = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
  const name = `${functionName || '(anonymous)'}${where ? `  ${where}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + (selfUs.get(node.id) ?? 0));
}
const total = [...byFunction.values()].reduce((a, b) => a + b, 0);
const busy = total - (byFunction.get('(idle)') ?? 0);
process.stdout.write(`${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy\n\n   self ms  % busy  function\n`);
for (const [name, us] of [...byFunction].filter(([n]) => n !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  process.stdout.write(`${(us / 1000).toFixed(0).padStart(10)}  ${((100 * us) / busy).toFixed(1).padStart(6)}  ${name}\n`);
}
