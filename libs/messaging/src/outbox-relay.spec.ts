import type { DataSource } from 'typeorm';
import { dlqTopicOf, EventSources, EventTypes, newEvent, retryTopicOf, Topics, type EncodedRecord } from '@compliance/contracts';
import { ConsumerRunner } from './consumer-runner';
import { TopicNamespace } from './kafka';
import { EventProducer } from './producer';
import { CreateTestEffects1764100000001, waitFor } from '@compliance/testing';
import { createServiceDataSource, runMigrationsLocked } from '@compliance/persistence';
import { CreateMessagingTables1764100000000 } from './messaging-tables.migration';
import { addManyToOutbox, addToOutbox, type RecordPublisher } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { createTestTopics, testKafka, testNamespace, TopicReader } from './testing';
import { testDatabaseUrl } from '@compliance/persistence/testing';

const TOPIC = Topics.RetentionEvents;
const GROUP = 'outbox-dedupe';

const policyEvent = (n: number) =>
  newEvent({
    type: EventTypes.RetentionPolicyChanged,
    source: EventSources.Retention,
    data: { category: 'audit_detail', retentionDays: 30 + n, changedBy: 'outbox-test', changedAt: new Date().toISOString() },
  });

/** Publishes the first part of a batch, then dies before the rows are deleted as sent. */
class DyingPublisher implements RecordPublisher {
  constructor(private readonly real: RecordPublisher) {}
  async publish(batches: Array<{ topic: string; records: EncodedRecord[] }>): Promise<void> {
    const half = batches.map((b) => ({ topic: b.topic, records: b.records.slice(0, Math.ceil(b.records.length / 2)) }));
    await this.real.publish(half);
    throw new Error('relay process killed');
  }
}

describe('transactional outbox and relay (real Kafka, real Postgres)', () => {
  const namespace = testNamespace('outbox');
  const ns = new TopicNamespace(namespace);
  const kafka = testKafka('outbox-test');
  let ds: DataSource;
  let producer: EventProducer;
  let reader: TopicReader;

  beforeAll(async () => {
    await createTestTopics(namespace, [retryTopicOf(GROUP), dlqTopicOf(GROUP)]);
    ds = createServiceDataSource({
      url: await testDatabaseUrl('outbox'),
      schema: 'outbox_test',
      migrations: [CreateMessagingTables1764100000000, CreateTestEffects1764100000001],
    });
    await ds.initialize();
    await runMigrationsLocked(ds, 'outbox_test');
    producer = new EventProducer(kafka, ns);
    reader = await new TopicReader(namespace, [TOPIC]).start();
  });

  afterAll(async () => {
    await reader.stop();
    await producer.disconnect();
    await ds.destroy();
  });

  it('publishes an event after its transaction commits and never when it rolls back', async () => {
    const committed = policyEvent(1);
    const rolledBack = policyEvent(2);
    await ds.transaction((m) => addToOutbox(m, TOPIC, 'k', committed));
    await expect(
      ds.transaction(async (m) => {
        await addToOutbox(m, TOPIC, 'k', rolledBack);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const relay = new OutboxRelay(ds, producer, { name: 'commit-test', idleMs: 50 });
    relay.start();
    await waitFor(() => reader.events(TOPIC).some((e) => e.id === committed.id), { what: 'the committed event' });
    await relay.stop();
    expect(reader.events(TOPIC).some((e) => e.id === rolledBack.id)).toBe(false);
    expect(await relay.unsentCount()).toBe(0);
  });

  it('publishes the events of a multi-row insert in list order', async () => {
    const events = Array.from({ length: 30 }, (_, i) => policyEvent(500 + i));
    await ds.transaction((m) => addManyToOutbox(m, events.map((event) => ({ topic: TOPIC, key: 'many', event }))));
    const relay = new OutboxRelay(ds, producer, { name: 'many-test' });
    expect(await relay.drainAll()).toBe(30);
    // Sent rows are deleted, not kept marked: no copy of a published event stays in the database.
    expect(await ds.query('SELECT event_id FROM outbox WHERE event_id = ANY($1)', [events.map((e) => e.id)])).toEqual([]);
    const ids = new Set(events.map((e) => e.id));
    const seen = await waitFor(() => {
      const ours = reader.records.filter((r) => r.event && ids.has(r.event.id));
      return ours.length === 30 && ours;
    }, { what: 'the 30 events on the topic' });
    expect(seen.map((r) => r.event?.id)).toEqual(events.map((e) => e.id));
    expect(seen.every((r) => r.key === 'many' && r.headers.ce_type === EventTypes.RetentionPolicyChanged)).toBe(true);
  });

  it('publishes a row that commits after a later one although its id is lower (writers hold the outbox lock until they end)', async () => {
    const early = policyEvent(700);
    const late = policyEvent(701);
    const slow = ds.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      await addToOutbox(slow.manager, TOPIC, 'floor', early); // takes the lower id, commits last
      await ds.transaction((m) => addToOutbox(m, TOPIC, 'floor', late));
      const relay = new OutboxRelay(ds, producer, { name: 'late-commit-test' });
      // A settled read is tried and refused while the slow writer is in flight, so the floor stays below its row.
      expect(await relay.drainAll()).toBe(1);
      await slow.commitTransaction();
      expect(await relay.drainAll()).toBe(1);
      await waitFor(() => reader.events(TOPIC).some((e) => e.id === early.id), { what: 'the event that committed last with the lower id' });
      expect(await relay.unsentCount()).toBe(0);
    } finally {
      if (slow.isTransactionActive) await slow.rollbackTransaction();
      await slow.release();
    }
  });

  it('reads after its floor, and from the bottom again now and then', async () => {
    const relay = new OutboxRelay(ds, producer, { name: 'floor-test', bottomReadMs: 1000 });
    await ds.transaction((m) => addManyToOutbox(m, [1, 2, 3].map((n) => ({ topic: TOPIC, key: 'floor', event: policyEvent(800 + n) }))));
    expect(await relay.drainAll()).toBe(3); // a settled read: nothing else in flight
    const [{ top }] = await ds.query('SELECT last_value::int AS top FROM outbox_id_seq');
    // A row below the floor (as an earlier version's writer or a sequence started again could leave): reads after the floor miss it.
    const below = policyEvent(810);
    await ds.transaction((m) => addToOutbox(m, TOPIC, 'floor', below));
    await ds.query('UPDATE outbox SET id = $1 WHERE event_id = $2', [top - 1, below.id]);
    expect(await relay.drainAll()).toBe(0);
    expect(await relay.unsentCount()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await relay.drainAll()).toBe(1); // the next read from the bottom
    await waitFor(() => reader.events(TOPIC).some((e) => e.id === below.id), { what: 'the row below the floor' });
  });

  it('a relay killed mid-batch and restarted publishes every row, in order per key, and consumers dedupe the repeats', async () => {
    const keys = ['a', 'b', 'c'];
    const events = Array.from({ length: 90 }, (_, i) => ({ key: keys[i % 3], event: policyEvent(100 + i) }));
    await ds.transaction(async (m) => {
      for (const { key, event } of events) await addToOutbox(m, TOPIC, key, event);
    });
    const dying = new OutboxRelay(ds, new DyingPublisher(producer), { name: 'kill-test', batchSize: 40 });
    await expect(dying.drainAll()).rejects.toThrow('relay process killed');
    expect(await dying.unsentCount()).toBe(90);

    const restarted = new OutboxRelay(ds, producer, { name: 'kill-test', batchSize: 40 });
    expect(await restarted.drainAll()).toBe(90);
    const ids = new Set(events.map((e) => e.event.id));
    const onTopic = await waitFor(() => {
      const ours = reader.records.filter((r) => r.event && ids.has(r.event.id));
      return new Set(ours.map((r) => r.event?.id)).size === 90 && ours;
    }, { what: 'all 90 events on the topic' });
    expect(onTopic.length).toBeGreaterThan(90); // the killed relay's half batch went out twice
    for (const key of keys) {
      // Per key, the last occurrence of each event follows outbox order.
      const expected = events.filter((e) => e.key === key).map((e) => e.event.id);
      const seen = onTopic.filter((r) => r.key === key).map((r) => r.event?.id as string);
      const lastOrder = [...new Map(seen.map((id, i) => [id, i])).entries()].sort((x, y) => x[1] - y[1]).map(([id]) => id);
      expect(lastOrder).toEqual(expected);
    }

    const runner = new ConsumerRunner(kafka, ns, producer, {
      group: GROUP,
      topics: [TOPIC],
      dataSource: ds,
      handler: async (e, { manager }) => {
        await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [e.id, GROUP, e.type]);
      },
    });
    await runner.start();
    try {
      const counts = await waitFor(async () => {
        const rows: Array<{ event_id: string; n: number }> = await ds.query('SELECT event_id, count(*)::int AS n FROM effects GROUP BY event_id');
        const ours = rows.filter((r) => ids.has(r.event_id));
        return ours.length === 90 && ours;
      }, { what: 'one effect per event' });
      expect(counts.every((r) => r.n === 1)).toBe(true);
    } finally {
      await runner.stop();
    }
  });
});
