import type { EntityManager } from 'typeorm';
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
export async function addToOutbox(manager: EntityManager, topic: string, key: string, event: DomainEvent): Promise<void> {
  outboxWriters.add(manager.queryRunner ?? manager);
  const record = encodeEvent(event, key);
  await manager.query('INSERT INTO outbox (event_id, topic, key, value, headers) VALUES ($1, $2, $3, $4, $5)', [
    event.id,
    topic,
    key,
    record.value,
    JSON.stringify(record.headers),
  ]);
}

interface OutboxRow {
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
