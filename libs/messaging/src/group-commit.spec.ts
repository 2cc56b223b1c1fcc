import { GroupCommit, type GatherPolicy } from './group-commit';

describe('GroupCommit', () => {
  it('runs what arrives in one turn together, and what arrives during a run in the next one', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const commit = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => i * 10);
    }, 100);
    const first = [commit.submit(1), commit.submit(2)];
    await new Promise((r) => setImmediate(r));
    const later = [commit.submit(3), commit.submit(4), commit.submit(5)];
    release();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2], [3, 4, 5]]);
  });

  it('keeps each batch within its limit and fails every item of a batch that failed, not the others', async () => {
    const commit = new GroupCommit<number, number>(async (items) => {
      if (items.includes(3)) throw new Error('refused');
      return items;
    }, 2);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => commit.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    await commit.idle();
  });

  /** A batcher that records its batches, and a trickle of items sent 15 ms apart. */
  function recording(gather?: GatherPolicy) {
    const batches: number[][] = [];
    const commit = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      return items;
    }, 100, gather);
    const trickle = async (items: number[]) => {
      const pending: Array<Promise<number>> = [];
      for (const n of items) {
        pending.push(commit.submit(n));
        await new Promise((r) => setTimeout(r, 15));
      }
      return Promise.all(pending);
    };
    return { batches, commit, trickle };
  }

  it('with a gathering time, runs the items of a trickle that arrive within it in one batch', async () => {
    const gathered = recording({ ms: 80, when: 'always' });
    expect(await gathered.trickle([1, 2, 3])).toEqual([1, 2, 3]);
    expect(gathered.batches).toEqual([[1, 2, 3]]);
    // Without one, each item of the same trickle is a batch of its own.
    const eager = recording();
    await eager.trickle([4, 5]);
    expect(eager.batches).toEqual([[4], [5]]);
  });

  it('under small-batches, gathers only after a batch of a few items: not an item arriving alone, nor items already coming in numbers', async () => {
    const { batches, commit, trickle } = recording({ ms: 80, when: 'small-batches' });
    await trickle([1, 2]); // alone each: nothing to gather after a batch of one
    await Promise.all([commit.submit(3), commit.submit(4)]); // a batch of two...
    await trickle([5, 6, 7]); // ...so the next items wait for one another
    await Promise.all(Array.from({ length: 10 }, (_, i) => commit.submit(10 + i))); // a batch of ten...
    await trickle([30, 31]); // ...so these are not kept waiting
    expect(batches).toEqual([[1], [2], [3, 4], [5, 6, 7], Array.from({ length: 10 }, (_, i) => 10 + i), [30], [31]]);
  });
});
