import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@compliance/contracts';
import { dispatch, type EventBatchItem } from './event-dispatch';

const manager = {} as EntityManager;

function item(partition: number, key: string, type: string, n: number): EventBatchItem {
  const event = { id: `${key}-${n}`, type, source: 'test', time: new Date(0).toISOString(), data: {} } as DomainEvent;
  return { event, record: { topic: 't', partition, offset: String(n), key, headers: {}, value: '{}', attempt: 0 } };
}

describe('dispatch', () => {
  it('hands all events of a batch-handled type from every partition to one call, each partition in order', async () => {
    const calls: string[][] = [];
    const p0 = [item(0, 'a', 'x', 1), item(0, 'a', 'x', 2)];
    const p1 = [item(1, 'b', 'x', 1), item(1, 'b', 'x', 2), item(1, 'b', 'x', 3)];
    await dispatch({ batchHandlers: { x: async (items) => void calls.push(items.map((i) => i.event.id)) } }, [p0, p1], manager);
    expect(calls).toEqual([['a-1', 'a-2', 'b-1', 'b-2', 'b-3']]);
  });

  it('never applies a later event of a partition before an earlier one of another kind', async () => {
    const log: string[] = [];
    const p0 = [item(0, 'a', 'x', 1), item(0, 'a', 'y', 2), item(0, 'a', 'x', 3)];
    const p1 = [item(1, 'b', 'x', 1), item(1, 'b', 'x', 2)];
    await dispatch(
      {
        batchHandlers: { x: async (items) => void log.push(`x[${items.map((i) => i.event.id).join(',')}]`) },
        handler: async (event) => void log.push(`one(${event.id})`),
      },
      [p0, p1],
      manager,
    );
    expect(log).toEqual(['x[a-1,b-1,b-2]', 'one(a-2)', 'x[a-3]']);
  });

  it('puts the types that share one batch handler into the same run', async () => {
    const calls: string[][] = [];
    const shared = async (items: EventBatchItem[]) => void calls.push(items.map((i) => i.event.id));
    const p0 = [item(0, 'a', 'requested', 1), item(0, 'a', 'completed', 2)];
    const p1 = [item(1, 'b', 'requested', 1), item(1, 'b', 'completed', 2)];
    await dispatch({ batchHandlers: { requested: shared, completed: shared } }, [p0, p1], manager);
    expect(calls).toEqual([['a-1', 'a-2', 'b-1', 'b-2']]);
  });

  it('skips ignored types before forming runs, so they do not split a batch', async () => {
    const calls: string[][] = [];
    const other: string[] = [];
    const p0 = [item(0, 'a', 'x', 1), item(0, 'a', 'noise', 2), item(0, 'a', 'x', 3)];
    await dispatch(
      { batchHandlers: { x: async (items) => void calls.push(items.map((i) => i.event.id)), noise: null }, handler: async (e) => void other.push(e.id) },
      [p0],
      manager,
    );
    expect(calls).toEqual([['a-1', 'a-3']]);
    expect(other).toEqual([]);
  });

  it('gives types without a batch handler to the per-event handler one by one, with their records', async () => {
    const seen: Array<[string, number]> = [];
    await dispatch(
      { handler: async (event, { record }) => void seen.push([event.id, record.partition]) },
      [[item(0, 'a', 'y', 1)], [], [item(2, 'c', 'z', 1), item(2, 'c', 'y', 2)]],
      manager,
    );
    expect(seen).toEqual([['a-1', 0], ['c-1', 2], ['c-2', 2]]);
  });
});
