import { measureFailover, type Sample } from './failover';
import type { FaultRecord } from './run';

const T0 = 1_000_000;

/** 100 webhooks a second for `seconds`, each completed 100 ms later, except those a stall holds up until it ends. */
function traffic(seconds: number, stall?: { from: number; to: number; drainPerSecond: number }): Sample[] {
  const samples: Sample[] = [];
  const held: number[] = [];
  for (let ms = 0; ms < seconds * 1000; ms += 10) {
    const postedAt = T0 + ms;
    if (stall && ms >= stall.from * 1000 && ms < stall.to * 1000) held.push(postedAt);
    else if (held.length) held.push(postedAt);
    else samples.push({ postedAt, completedAt: postedAt + 100 });
  }
  // After the stall the held webhooks complete at drainPerSecond (faster than they keep coming).
  let t = stall ? T0 + stall.to * 1000 : 0;
  while (held.length) {
    const postedAt = held.shift() as number;
    t = Math.max(t + 1000 / (stall as { drainPerSecond: number }).drainPerSecond, postedAt + 100);
    samples.push({ postedAt, completedAt: t });
  }
  return samples;
}

const fault = (at: number, down: number, id: string): FaultRecord => ({ id, what: id, startedAt: T0 + at * 1000, endedAt: T0 + (at + down) * 1000 });

describe('measureFailover', () => {
  it('measures a stall: completions stop, flow again when it ends, and the backlog drains after', () => {
    const samples = traffic(60, { from: 30, to: 40, drainPerSecond: 300 });
    const m = measureFailover({ samples, faults: [fault(30, 10, 'kill')], startedAt: T0 });
    const [f] = m.faults;
    expect(f.rateBefore).toBe(100);
    expect(f.flowAgainSeconds).toBeGreaterThanOrEqual(9);
    expect(f.flowAgainSeconds).toBeLessThanOrEqual(11);
    expect(f.stallSeconds).toBeGreaterThanOrEqual(9.5);
    expect(f.stallSeconds).toBeLessThanOrEqual(10.5);
    // 1,000 held plus 100/s arriving, drained at 300/s: about 5 s more after the stall.
    expect(f.recoverySeconds).toBeGreaterThanOrEqual(13);
    expect(f.recoverySeconds).toBeLessThanOrEqual(17);
    expect(f.overlapsNextFault).toBe(false);
    expect(f.peakBacklog).toBeGreaterThanOrEqual(990);
    expect(f.p99Ms).toBeGreaterThan(9000);
    expect(m.p99BaselineMs).toBe(100);
    expect(m.p99Ms).toBeGreaterThan(9000);
  });

  it('reports 0 for a fault that changes nothing, and flags a recovery that runs into the next fault', () => {
    const quiet = measureFailover({ samples: traffic(40), faults: [fault(20, 5, 'harmless')], startedAt: T0 });
    expect(quiet.faults[0]).toMatchObject({ flowAgainSeconds: 0, recoverySeconds: 0, overlapsNextFault: false });
    expect(quiet.faults[0].stallSeconds).toBeLessThan(0.1);

    const busy = measureFailover({ samples: traffic(60, { from: 30, to: 40, drainPerSecond: 300 }), faults: [fault(30, 10, 'kill'), fault(35, 1, 'next')], startedAt: T0 });
    expect(busy.faults[0].overlapsNextFault).toBe(true);
  });
});
