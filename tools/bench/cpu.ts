/**
 * CPU seconds per process during a benchmark step: each service from its own
 * `process_cpu_seconds_total`, the Kafka broker JVM and every Postgres process from /proc.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process (all its threads), plus its reaped children's when asked, in seconds. */
export function procCpuSeconds(pid: number, withReapedChildren = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number);
    return (utime + stime + (withReapedChildren ? cutime + cstime : 0)) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Pids of the Postgres server processes (postmaster, backends, background workers). */
export function postgresPids(): number[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-f', 'postgres'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map(Number)
    .filter((pid) => pid > 0 && pid !== process.pid)
    .filter((pid) => {
      try {
        return /^(postgres|postmaster)$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      } catch {
        return false;
      }
    });
}

/**
 * All Postgres CPU so far. Backends come and go with connections; the postmaster reaps them, so
 * its children's time (cutime + cstime) keeps the CPU of those that exited.
 */
export function postgresCpuSeconds(): number {
  const pids = postgresPids();
  const parents = new Set(pids.filter((pid) => !pids.includes(parentOf(pid))));
  return pids.reduce((sum, pid) => sum + (procCpuSeconds(pid, parents.has(pid)) ?? 0), 0);
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** The broker the launcher started on `port` (its pid file), if any. */
export function brokerPid(repoRoot: string, port = 9092): number | undefined {
  const file = join(repoRoot, '.cache', 'kafka', `run-${port}`, 'broker.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return pid > 0 && existsSync(`/proc/${pid}`) ? pid : undefined;
}

/** process_cpu_seconds_total from a Prometheus endpoint. */
export async function metricsCpuSeconds(metricsUrl: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total '));
    return line ? Number(line.split(' ')[1]) : undefined;
  } catch {
    return undefined;
  }
}

export type CpuSnapshot = Record<string, number | undefined>;

/** Snapshots of every process's CPU seconds; the difference of two is the CPU of a step. */
export class CpuMeter {
  constructor(
    private readonly services: Array<{ name: string; metricsUrl: string }>,
    private readonly broker?: number,
  ) {}

  async snapshot(): Promise<CpuSnapshot> {
    const services = await Promise.all(this.services.map(async (s) => [s.name, await metricsCpuSeconds(s.metricsUrl)] as const));
    return {
      ...Object.fromEntries(services),
      'kafka-broker': this.broker ? procCpuSeconds(this.broker) : undefined,
      postgres: postgresCpuSeconds(),
    };
  }

  /** CPU seconds per process between two snapshots (rounded to ms); missing on either side → omitted. */
  static between(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, end] of Object.entries(after)) {
      const start = before[name];
      if (end !== undefined && start !== undefined) out[name] = Math.round((end - start) * 1000) / 1000;
    }
    return out;
  }
}
