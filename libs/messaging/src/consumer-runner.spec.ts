import { KafkaJSNonRetriableError } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { dlqTopicOf, encodeEvent, EventSources, EventTypes, newEvent, retryTopicOf, Topics, type DomainEvent } from '@compliance/contracts';
import { createServiceDataSource, runMigrationsLocked } from '@compliance/persistence';
import { CreateTestEffects1764100000001, waitFor } from '@compliance/testing';
import { ConsumerRunner, EventHandler } from './consumer-runner';
import { TopicNamespace } from './kafka';
import { EventProducer } from './producer';
import { addToOutbox } from './outbox';
import { CreateMessagingTables1764100000000 } from './messaging-tables.migration';
import { RetryHeaders } from './retry-headers';
import { createTestTopics, testKafka, testNamespace, TopicReader } from './testing';
import { testDatabaseUrl } from '@compliance/persistence/testing';

const GROUP = 'runtime-test';
const TOPIC = Topics.RetentionEvents;

function policyEvent(key: string, n: number): DomainEvent {
  return newEvent({
    type: EventTypes.RetentionPolicyChanged,
    source: EventSources.Retention,
    subject: key,
    data: { category: 'raw_webhooks', retentionDays: 30 + n, changedBy: 'test', changedAt: new Date().toISOString() },
  });
}

describe('ConsumerRunner (real Kafka, real Postgres)', () => {
  const namespace = testNamespace('runner');
  const ns = new TopicNamespace(namespace);
  const kafka = testKafka('runner-test');
  let ds: DataSource;
  let producer: EventProducer;
  let reader: TopicReader;
  const runners: ConsumerRunner[] = [];

  // Each test's consumer group subscribes to the same topic; effects are kept apart by group.
  const effects = async (group: string) =>
    (await ds.query('SELECT event_id, key, value FROM effects WHERE key = $1 ORDER BY seq', [group])) as Array<{ event_id: string }>;

  async function run(group: string, handler: EventHandler, retry = { maxAttempts: 3, baseDelayMs: 300, maxDelayMs: 2000 }) {
    const runner = new ConsumerRunner(kafka, ns, producer, { group, topics: [TOPIC], dataSource: ds, handler, retry, chunkSize: 10 });
    runners.push(runner);
    await runner.start();
    return runner;
  }

  beforeAll(async () => {
    await createTestTopics(namespace, ['runtime-test', 'failing-test', 'dup-test', 'handler-dedupe', 'kick-test', 'fetch-test', 'batch-poison', 'crash-restart', 'held-fetch', 'eager-fetch'].flatMap((g) => [retryTopicOf(g), dlqTopicOf(g)]));
    ds = createServiceDataSource({
      url: await testDatabaseUrl('runner'),
      schema: 'runner',
      migrations: [CreateMessagingTables1764100000000, CreateTestEffects1764100000001],
    });
    await ds.initialize();
    await runMigrationsLocked(ds, 'runner');
    producer = new EventProducer(kafka, ns);
    reader = await new TopicReader(namespace, [TOPIC, dlqTopicOf('failing-test'), retryTopicOf('failing-test'), dlqTopicOf(GROUP), dlqTopicOf('batch-poison')]).start();
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await reader.stop();
    await producer.disconnect();
    await ds.destroy();
  });

  it('delivers a CloudEvent with its ce_* headers intact and a plain JSON value', async () => {
    const event = policyEvent('subject-1', 1);
    await producer.send(TOPIC, [encodeEvent(event, 'subject-1')]);
    const record = await waitFor(() => reader.on(TOPIC).find((r) => r.event?.id === event.id), { what: 'the event on the topic' });
    expect(record.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: EventTypes.RetentionPolicyChanged,
      ce_source: EventSources.Retention,
      ce_subject: 'subject-1',
      'content-type': 'application/json',
      traceparent: event.traceparent,
    });
    expect(JSON.parse(record.value as string)).toEqual(event.data);
    expect(record.key).toBe('subject-1');
  });

  it('runs a consumer again after kafkajs stopped it for a non-retriable error, and applies what comes next', async () => {
    let crashes = 0;
    await producer.send(TOPIC, [encodeEvent(policyEvent('crash-restart', 70), 'crash-restart')]);
    const runner = new ConsumerRunner(kafka, ns, producer, {
      group: 'crash-restart',
      topics: [TOPIC],
      dataSource: ds,
      handler: async (e, { manager }) => {
        await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [e.id, 'crash-restart', String((e.data as { retentionDays: number }).retentionDays)]);
      },
      // As a JoinGroup answered UNKNOWN_MEMBER_ID does on a cluster: kafkajs disconnects and does not restart.
      onCommitted: () => {
        if (crashes++ === 0) throw new KafkaJSNonRetriableError('simulated: the coordinator is not aware of this member');
      },
    });
    runners.push(runner);
    await runner.start();
    await waitFor(() => runner.restartCount === 1, { what: 'the consumer stopped by kafkajs and restarted', timeoutMs: 60_000 });
    const late = [policyEvent('crash-restart', 71), policyEvent('crash-restart', 72)];
    await producer.send(TOPIC, late.map((e) => encodeEvent(e, 'crash-restart')));
    const applied = await waitFor(
      async () => {
        const ids = (await effects('crash-restart')).map((r) => r.event_id);
        return late.every((e) => ids.includes(e.id)) && ids;
      },
      { what: 'the events sent after the restart applied', timeoutMs: 60_000 },
    );
    expect(applied.filter((id) => late.some((e) => e.id === id))).toHaveLength(2);
  });

  it('tells after each commit whether the chunk wrote to the outbox, so the relay is kicked only then', async () => {
    const commits: boolean[] = [];
    const runner = new ConsumerRunner(kafka, ns, producer, {
      group: 'kick-test',
      topics: [TOPIC],
      dataSource: ds,
      chunkSize: 1,
      handler: async (e, { manager }) => {
        if ((e.data as { retentionDays: number }).retentionDays === 2030) await addToOutbox(manager, TOPIC, 'kick', policyEvent('kick-out', 0));
      },
      onCommitted: ({ wroteOutbox }) => commits.push(wroteOutbox),
    });
    runners.push(runner);
    await runner.start();
    // Earlier tests' events come first; wait for the group to be idle, then send one event at a time.
    await waitFor(async () => {
      const n = commits.length;
      await new Promise((r) => setTimeout(r, 1500));
      return commits.length === n;
    }, { what: 'the group to catch up' });
    for (const [n, expected] of [[1000, false], [2000, true], [1001, false]] as const) {
      const before = commits.length;
      await producer.send(TOPIC, [encodeEvent(policyEvent('kick', n), 'kick')]);
      await waitFor(() => commits.length > before, { what: `the commit of event ${n}` });
      expect(commits.slice(before)).toEqual([expected]);
    }
  });

  it('applies the events a fetch brings from several partitions in one transaction, keeping each key in order', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    const events = Array.from({ length: 60 }, (_, i) => ({ key: keys[i % keys.length], event: policyEvent(`fetch-${i}`, 100 + i) }));
    const ids = new Set(events.map((e) => e.event.id));
    await producer.send(TOPIC, events.map(({ key, event }) => encodeEvent(event, key)));
    const batches: Array<{ txid: string; ids: string[] }> = [];
    const runner = new ConsumerRunner(kafka, ns, producer, {
      group: 'fetch-test',
      topics: [TOPIC],
      dataSource: ds,
      batchHandlers: {
        [EventTypes.RetentionPolicyChanged]: async (items, { manager }) => {
          const ours = items.filter((i) => ids.has(i.event.id));
          if (ours.length === 0) return;
          const [{ txid }] = await manager.query('SELECT txid_current()::text AS txid');
          batches.push({ txid, ids: ours.map((i) => i.event.id) });
          for (const { event, record } of ours) {
            await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [event.id, 'fetch-test', record.key]);
          }
        },
      },
    });
    runners.push(runner);
    await runner.start();
    const rows = await waitFor(async () => {
      const r = (await ds.query(`SELECT event_id, value AS key FROM effects WHERE key = 'fetch-test' ORDER BY seq`)) as Array<{ event_id: string; key: string }>;
      return r.length === events.length && r;
    }, { what: 'every event applied' });
    // The 60 events sit on all 3 partitions; one fetch brings them, one transaction applies them.
    expect(new Set(batches.map((b) => b.txid)).size).toBeLessThan(3);
    expect(batches[0].ids.length).toBeGreaterThan(20);
    for (const key of keys) {
      expect(rows.filter((r) => r.key === key).map((r) => r.event_id)).toEqual(events.filter((e) => e.key === key).map((e) => e.event.id));
    }
  });

  it('gathers records sent apart into one transaction when the group may hold its fetches, and applies them as they come when not', async () => {
    // Events applied per transaction id, by group.
    const seen = { 'held-fetch': new Map<string, number>(), 'eager-fetch': new Map<string, number>() };
    const events = Array.from({ length: 5 }, (_, i) => policyEvent(`held-${i}`, 500 + i));
    const ids = new Set(events.map((e) => e.id));
    for (const [group, fetch] of [['held-fetch', { maxWaitMs: 2000 }], ['eager-fetch', undefined]] as const) {
      const runner = new ConsumerRunner(kafka, ns, producer, {
        group,
        topics: [TOPIC],
        dataSource: ds,
        fetch,
        batchHandlers: {
          [EventTypes.RetentionPolicyChanged]: async (items, { manager }) => {
            const ours = items.filter((i) => ids.has(i.event.id));
            if (ours.length === 0) return;
            const [{ txid }] = await manager.query('SELECT txid_current()::text AS txid');
            seen[group].set(txid, (seen[group].get(txid) ?? 0) + ours.length);
          },
        },
      });
      runners.push(runner);
      await runner.start();
    }
    // Both groups first read what earlier tests sent; then the five events go out 150 ms apart.
    await new Promise((r) => setTimeout(r, 3000));
    for (const event of events) {
      await producer.send(TOPIC, [encodeEvent(event, event.subject as string)]);
      await new Promise((r) => setTimeout(r, 150));
    }
    const total = (group: keyof typeof seen) => [...seen[group].values()].reduce((a, b) => a + b, 0);
    await waitFor(() => total('held-fetch') === 5 && total('eager-fetch') === 5, { what: 'both groups applied the five events', timeoutMs: 30_000 });
    // Held: the broker answers after 2 s (or 1 MiB), so the 600 ms of sends arrive in one or two fetches.
    expect(seen['held-fetch'].size).toBeLessThanOrEqual(2);
    // Answered at once: each event comes in a fetch (and a transaction) of its own, or nearly.
    expect(seen['eager-fetch'].size).toBeGreaterThanOrEqual(3);
  });

  it('replays a fetch whose batch handler failed one event at a time, so only the poison event is retried', async () => {
    const poison = policyEvent('bp-1', 300);
    const good = [policyEvent('bp-1', 301), policyEvent('bp-2', 302), policyEvent('bp-3', 303)];
    const ids = new Set([poison, ...good].map((e) => e.id));
    const sizes: number[] = [];
    await producer.send(TOPIC, [poison, ...good].map((e) => encodeEvent(e, e.subject as string)));
    const runner = new ConsumerRunner(kafka, ns, producer, {
      group: 'batch-poison',
      topics: [TOPIC],
      dataSource: ds,
      retry: { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 200 },
      batchHandlers: {
        [EventTypes.RetentionPolicyChanged]: async (items, { manager }) => {
          const ours = items.filter((i) => ids.has(i.event.id));
          if (ours.length) sizes.push(ours.length);
          for (const { event } of ours) {
            if (event.id === poison.id) throw new Error('poison');
            await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [event.id, 'batch-poison', 'x']);
          }
        },
      },
    });
    runners.push(runner);
    await runner.start();
    await waitFor(() => reader.on(dlqTopicOf('batch-poison')).find((r) => r.headers.ce_id === poison.id), { what: 'the poison event in the DLQ', timeoutMs: 30_000 });
    // The good events' own transactions may still be running when the poison reaches the DLQ.
    const appliedIds = async () => ((await ds.query(`SELECT event_id FROM effects WHERE key = 'batch-poison'`)) as Array<{ event_id: string }>).map((r) => r.event_id).sort();
    await waitFor(async () => (await appliedIds()).length >= good.length, { what: 'the good events applied' });
    expect(await appliedIds()).toEqual(good.map((e) => e.id).sort());
    expect(sizes[0]).toBe(4); // first as one batch, then one item per transaction
    expect(sizes.slice(1).every((n) => n === 1)).toBe(true);
  });

  it('applies an event delivered twice exactly once (inbox)', async () => {
    const event = policyEvent('dup', 2);
    await run('dup-test', async (e, { manager }) => {
      await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [e.id, 'dup-test', e.type]);
    });
    await producer.send(TOPIC, [encodeEvent(event, 'dup'), encodeEvent(event, 'dup')]);
    await waitFor(async () => (await effects('dup-test')).some((r) => r.event_id === event.id), { what: 'the effect' });
    const marker = policyEvent('dup', 3);
    await producer.send(TOPIC, [encodeEvent(marker, 'dup')]);
    await waitFor(async () => (await effects('dup-test')).some((r) => r.event_id === marker.id), { what: 'the marker effect' });
    expect((await effects('dup-test')).filter((r) => r.event_id === event.id)).toHaveLength(1);
  });

  it("keeps no inbox rows for a group whose handlers dedupe themselves, and still applies an id once per fetch", async () => {
    const event = policyEvent('own-dedupe', 2);
    const calls: string[] = [];
    const runner = new ConsumerRunner(kafka, ns, producer, {
      group: 'handler-dedupe',
      topics: [TOPIC],
      dataSource: ds,
      chunkSize: 10,
      dedupe: 'handlers',
      handler: async (e, { manager }) => {
        calls.push(e.id);
        // The handler's own record of what it applied, in the same transaction.
        const [seen] = await manager.query('SELECT 1 FROM effects WHERE key = $1 AND event_id = $2', ['handler-dedupe', e.id]);
        if (!seen) await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [e.id, 'handler-dedupe', e.type]);
      },
    });
    runners.push(runner);
    await runner.start();
    // Twice in one send, then again later: the handler's own record skips the copies.
    await producer.send(TOPIC, [encodeEvent(event, 'own-dedupe'), encodeEvent(event, 'own-dedupe')]);
    await waitFor(async () => (await effects('handler-dedupe')).some((r) => r.event_id === event.id), { what: 'the effect' });
    await producer.send(TOPIC, [encodeEvent(event, 'own-dedupe')]);
    const marker = policyEvent('own-dedupe', 3);
    await producer.send(TOPIC, [encodeEvent(marker, 'own-dedupe')]);
    await waitFor(async () => (await effects('handler-dedupe')).some((r) => r.event_id === marker.id), { what: 'the marker effect' });
    expect((await effects('handler-dedupe')).filter((r) => r.event_id === event.id)).toHaveLength(1);
    // The later redelivery reached the handler: no inbox stood in its way.
    expect(calls.filter((id) => id === event.id).length).toBeGreaterThanOrEqual(2);
    expect(await ds.query("SELECT event_id FROM inbox WHERE consumer = 'handler-dedupe'")).toEqual([]);
  });

  it('retries a failing event with growing delays, dead-letters it after N attempts, and keeps the partition moving', async () => {
    const poison = policyEvent('same-key', 4);
    const after = [policyEvent('same-key', 5), policyEvent('same-key', 6)];
    await run('failing-test', async (e, { manager }) => {
      if (e.id === poison.id) throw new Error('downstream refused');
      await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [e.id, 'failing-test', e.type]);
    });
    await producer.send(TOPIC, [poison, ...after].map((e) => encodeEvent(e, 'same-key')));
    // Events behind the poison one on the same partition are applied while it waits for retries.
    const applied = await waitFor(async () => {
      const rows = await effects('failing-test');
      return after.every((a) => rows.some((r) => r.event_id === a.id)) && rows;
    });
    expect(applied.some((r) => r.event_id === poison.id)).toBe(false);
    const dead = await waitFor(() => reader.on(dlqTopicOf('failing-test')).find((r) => r.headers.ce_id === poison.id), {
      what: 'the poison event in the DLQ',
      timeoutMs: 30_000,
    });
    expect(dead.headers[RetryHeaders.Attempt]).toBe('3');
    expect(dead.headers[RetryHeaders.LastError]).toContain('downstream refused');
    expect(dead.headers[RetryHeaders.OriginalTopic]).toBe(TOPIC);
    expect(dead.event?.id).toBe(poison.id);
    const retries = reader.on(retryTopicOf('failing-test')).filter((r) => r.headers.ce_id === poison.id);
    expect(retries.map((r) => r.headers[RetryHeaders.Attempt])).toEqual(['1', '2']);
    // Backoff grows: the wait before attempt 2 is longer than before attempt 1 (base 300 ms, ±20 % jitter).
    const waits = retries.map((r) => Date.parse(r.headers[RetryHeaders.NextAttemptAt]) - Date.parse(r.headers[RetryHeaders.FailedAt]));
    expect(waits[0]).toBeGreaterThanOrEqual(240);
    expect(waits[1]).toBeGreaterThan(waits[0]);
  });

  it('sends an undecodable record and an invalid event straight to the DLQ, without retries', async () => {
    const valid = policyEvent('bad', 7);
    await run(GROUP, async (e, { manager }) => {
      await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [e.id, GROUP, e.type]);
    });
    const invalid = encodeEvent({ ...policyEvent('bad', 8), data: { category: 'not-a-category' } }, 'bad');
    await producer.send(TOPIC, [{ key: 'bad', value: 'this is not json', headers: {} }, invalid, encodeEvent(valid, 'bad')]);
    const dead = await waitFor(() => {
      const rows = reader.on(dlqTopicOf(GROUP));
      return rows.length >= 2 && rows;
    }, { what: 'two dead letters' });
    expect(dead.map((r) => r.headers[RetryHeaders.ErrorCode]).sort()).toEqual(['EVENT_INVALID', 'EVENT_UNDECODABLE']);
    expect(dead.every((r) => r.headers[RetryHeaders.Attempt] === '0')).toBe(true);
    expect(dead.find((r) => r.headers[RetryHeaders.ErrorCode] === 'EVENT_INVALID')?.headers[RetryHeaders.LastError]).toContain('category');
    await waitFor(async () => (await effects(GROUP)).some((r) => r.event_id === valid.id), { what: 'the valid event applied' });
    expect(reader.on(retryTopicOf(GROUP))).toHaveLength(0);
  });
});
