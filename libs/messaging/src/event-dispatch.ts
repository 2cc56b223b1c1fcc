import type { EntityManager } from 'typeorm';
import { preparedStatement, runPrepared } from '@compliance/persistence';
import type { DomainEvent } from '@compliance/contracts';

export interface ConsumedRecord {
  /** Logical topic the event was first published to (the retry topic is transparent). */
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  headers: Record<string, string>;
  value: string | null;
  /** Handler attempts so far (0 on first delivery). */
  attempt: number;
}

export interface HandlerContext {
  /** The transaction the inbox row is written in; the handler's effects belong in it. */
  manager: EntityManager;
  record: ConsumedRecord;
}

export type EventHandler = (event: DomainEvent, ctx: HandlerContext) => Promise<void>;

export interface EventBatchItem<T = unknown> {
  event: DomainEvent<T>;
  record: ConsumedRecord;
}

/**
 * Applies the fresh events of one fetch whose types are registered with this handler, in the caller's
 * transaction. The items keep each partition's order (so each key's); several items may share a key
 * and are applied in list order.
 */
export type BatchEventHandler = (items: EventBatchItem[], ctx: { manager: EntityManager }) => Promise<void>;

export interface Handlers {
  handler?: EventHandler;
  /**
   * Handlers by event type. `null` marks a type the consumer ignores: its events are recorded in the
   * inbox and skipped before runs are formed, so they never split a run of another type.
   */
  batchHandlers?: Record<string, BatchEventHandler | null>;
}

/**
 * Applies fresh events: runs of events whose types share one batch handler go to it in one call,
 * everything else to the per-event handler in order. Each partition's events are taken in order, and
 * a run is the longest prefix of one kind from every partition, so no key's events are reordered.
 */
export async function dispatch(handlers: Handlers, perPartition: EventBatchItem[][], manager: EntityManager): Promise<void> {
  // A run's kind is its handler: types registered with the same function share runs.
  const kindOf = (item: EventBatchItem) => handlers.batchHandlers?.[item.event.type] ?? undefined;
  const ignored = (item: EventBatchItem) => handlers.batchHandlers?.[item.event.type] === null;
  const cursors = perPartition.map((list) => ({ list: list.filter((item) => !ignored(item)), next: 0 })).filter((c) => c.list.length > 0);
  for (;;) {
    const open = cursors.filter((c) => c.next < c.list.length);
    if (open.length === 0) return;
    const batch = kindOf(open[0].list[open[0].next]);
    const run: EventBatchItem[] = [];
    for (const c of open) {
      while (c.next < c.list.length && kindOf(c.list[c.next]) === batch) run.push(c.list[c.next++]);
    }
    if (batch) await batch(run, { manager });
    else if (handlers.handler) for (const item of run) await handlers.handler(item.event, { manager, record: item.record });
  }
}

const CLAIM_INBOX = preparedStatement('INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING event_id');

/**
 * Writes the inbox rows of a set of events in one statement; returns the ids seen for the first
 * time (an id repeated in `ids` counts once).
 */
export async function claimInbox(manager: EntityManager, consumer: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await runPrepared<{ event_id: string }>(manager, CLAIM_INBOX, [consumer, ids]);
  return new Set(rows.map((r) => r.event_id));
}
