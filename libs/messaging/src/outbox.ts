import type { EntityManager } from 'typeorm';
import { preparedStatement, runPrepared } from '@compliance/persistence';
import { encodeEvent, type DomainEvent, type EncodedRecord } from '@compliance/contracts';

/** Where outbox rows go: implemented by the messaging producer (idempotent, acks=all). */
export interface RecordPublisher {
  publish(batches: Array<{ topic: string; records: EncodedRecord[] }>): Promise<void>;
}

/** Transactions (by their query runner) that wrote to the outbox: after their commit the relay has work. */
const outboxWriters = new WeakSet<object>();

/** Whether `manager`'s transaction added to the outbox (so its commit should kick the relay). */
export function wroteToOutbox(manager: EntityManager): boolean {
  return outboxWriters.has(manager.queryRunner ?? manager);
}

/**
 * Adds an event to the outbox inside the caller's transaction: it is published if and only if
 * the transaction commits.
 */
export function addToOutbox(manager: EntityManager, topic: string, key: string, event: DomainEvent): Promise<void> {
  return addManyToOutbox(manager, [{ topic, key, event }]);
}

/**
 * Seals the personal data of events before they are written to the outbox (crypto-shredding),
 * registered per DataSource by the service runtime when a keyring is configured. Mutates the events.
 */
export type OutboxSealer = (events: DomainEvent[]) => Promise<void>;
const sealers = new WeakMap<object, OutboxSealer>();

/** Every event added to the outbox through `dataSource` (any of its managers) is sealed by `sealer` first. */
export function registerOutboxSealer(dataSource: object, sealer: OutboxSealer): void {
  sealers.set(dataSource, sealer);
}

/**
 * The advisory lock (two-key form, per schema) that every transaction writing to the outbox holds
 * shared from before its rows take their ids until it ends. The relay takes it exclusively for an
 * instant before a read: that read's snapshot then holds every row with an id below its last one that
 * will ever commit, so the relay can start its next reads after that id (see OutboxRelay).
 */
export const OUTBOX_WRITERS_LOCK = `hashtext('outbox-writers'), hashtext(current_schema())`;

// WITH ORDINALITY keeps the list order in the id sequence. The writers' lock is a one-time filter,
// taken before the first row (and its id) is made.
const INSERT_OUTBOX = preparedStatement(
  `INSERT INTO outbox (event_id, topic, key, value, headers)
   SELECT e, t, k, v, h::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS x(e, t, k, v, h, n)
    WHERE (SELECT true FROM pg_advisory_xact_lock_shared(${OUTBOX_WRITERS_LOCK}))
    ORDER BY n`,
);

/** Adds several events in one statement; they are published in list order (per key order follows). */
export async function addManyToOutbox(manager: EntityManager, entries: Array<{ topic: string; key: string; event: DomainEvent }>): Promise<void> {
  if (entries.length === 0) return;
  outboxWriters.add(manager.queryRunner ?? manager);
  await sealers.get(manager.connection)?.(entries.map((e) => e.event));
  const records = entries.map(({ key, event }) => encodeEvent(event, key));
  await runPrepared(manager, INSERT_OUTBOX, [
      entries.map((e) => e.event.id),
      entries.map((e) => e.topic),
      entries.map((e) => e.key),
      records.map((r) => r.value),
      records.map((r) => JSON.stringify(r.headers)),
    ],
  );
}

export interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Groups rows by topic keeping their id order; Kafka keeps per-partition order within one request. */
export function toBatches(rows: OutboxRow[]): Array<{ topic: string; records: EncodedRecord[] }> {
  const byTopic = new Map<string, EncodedRecord[]>();
  for (const row of rows) {
    const list = byTopic.get(row.topic) ?? [];
    list.push({ key: row.key, value: row.value, headers: row.headers });
    byTopic.set(row.topic, list);
  }
  return [...byTopic].map(([topic, records]) => ({ topic, records }));
}
