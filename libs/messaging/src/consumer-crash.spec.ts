import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { dlqTopicOf, encodeEvent, EventSources, EventTypes, newEvent, retryTopicOf, Topics } from '@compliance/contracts';
import { createServiceDataSource, runMigrationsLocked } from '@compliance/persistence';
import { CreateTestEffects1764100000001, waitFor } from '@compliance/testing';
import { TopicNamespace } from './kafka';
import { CreateMessagingTables1764100000000 } from './messaging-tables.migration';
import { EventProducer } from './producer';
import { createTestTopics, testBrokers, testKafka, testNamespace } from './testing';
import { testDatabaseUrl } from '@compliance/persistence/testing';

const ROOT = join(__dirname, '..', '..', '..');
const GROUP = 'crash-test';

function startWorker(namespace: string, databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    // tsx as a loader, not its CLI: one process, so SIGKILL hits the consumer itself and not a wrapper.
    ['--import', 'tsx', join(__dirname, 'testing/consumer-worker.ts'), testBrokers(), namespace, databaseUrl, GROUP, Topics.RetentionEvents],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
}

describe('a consumer killed with SIGKILL mid-batch', () => {
  const namespace = testNamespace('crash');
  let ds: DataSource;
  let databaseUrl: string;

  beforeAll(async () => {
    await createTestTopics(namespace, [retryTopicOf(GROUP), dlqTopicOf(GROUP)]);
    databaseUrl = await testDatabaseUrl('crash');
    ds = createServiceDataSource({ url: databaseUrl, schema: 'runner', migrations: [CreateMessagingTables1764100000000, CreateTestEffects1764100000001] });
    await ds.initialize();
    await runMigrationsLocked(ds, 'runner');
  });

  afterAll(() => ds.destroy());

  it('ends, after a restart, with every event applied exactly once', async () => {
    const total = 400;
    const events = Array.from({ length: total }, (_, i) =>
      newEvent({
        type: EventTypes.RetentionPolicyChanged,
        source: EventSources.Retention,
        data: { category: 'raw_webhooks', retentionDays: 30 + i, changedBy: 'crash-test', changedAt: new Date().toISOString() },
      }),
    );
    const kafka = testKafka('crash-producer');
    const producer = new EventProducer(kafka, new TopicNamespace(namespace));
    await producer.send(Topics.RetentionEvents, events.map((e, i) => encodeEvent(e, `key-${i % 7}`)));
    await producer.disconnect();
    const applied = async () => Number((await ds.query('SELECT count(*)::int AS n FROM effects'))[0].n);

    const first = await startWorker(namespace, databaseUrl);
    await waitFor(async () => (await applied()) >= 60, { what: 'the first worker applying events' });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const killedAt = await applied();
    // Dead means dead: nothing more is applied until the restart.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await applied()).toBe(killedAt);
    expect(killedAt).toBeLessThan(total);

    const second = await startWorker(namespace, databaseUrl);
    try {
      await waitFor(async () => (await applied()) >= total, { timeoutMs: 60_000, what: `${total} effects` });
      // Give a redelivery (uncommitted offsets of the killed worker) time to show up if it were applied twice.
      await new Promise((r) => setTimeout(r, 1500));
      const rows = await ds.query('SELECT event_id, count(*)::int AS n FROM effects GROUP BY event_id');
      expect(rows).toHaveLength(total);
      expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      expect(new Set(rows.map((r: { event_id: string }) => r.event_id))).toEqual(new Set(events.map((e) => e.id)));
    } finally {
      second.kill('SIGTERM');
    }
  });
});
