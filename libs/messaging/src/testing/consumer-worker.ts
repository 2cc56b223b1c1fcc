/**
 * A consumer process for the crash test: applies `retention.policy.changed` events as rows in
 * `effects`, slowly, so the test can SIGKILL it mid-batch. Run with tsx; configured by argv.
 */
import { createServiceDataSource } from '@compliance/persistence';
import { ConsumerRunner } from '../consumer-runner';
import { createKafka, parseBrokers, TopicNamespace } from '../kafka';
import { EventProducer } from '../producer';

async function main(): Promise<void> {
  const [brokers, namespace, databaseUrl, group, topic] = process.argv.slice(2);
  const ds = createServiceDataSource({ url: databaseUrl, schema: 'runner' });
  await ds.initialize();
  const kafka = createKafka({ brokers: parseBrokers(brokers), clientId: 'crash-worker' });
  const ns = new TopicNamespace(namespace);
  const runner = new ConsumerRunner(kafka, ns, new EventProducer(kafka, ns), {
    group,
    topics: [topic],
    dataSource: ds,
    chunkSize: 20,
    handler: async (event, { manager }) => {
      await manager.query('INSERT INTO effects (event_id, key, value) VALUES ($1, $2, $3)', [event.id, group, event.type]);
      await new Promise((r) => setTimeout(r, 5));
    },
  });
  await runner.start();
  process.stdout.write('ready\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
