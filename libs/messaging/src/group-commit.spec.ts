import { GroupCommit } from './group-commit';

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
});
