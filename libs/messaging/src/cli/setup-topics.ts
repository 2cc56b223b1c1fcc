/** `npm run topics`: creates every catalogue topic plus each group's retry/DLQ topics (used by compose). */
import { allTopics } from '@compliance/contracts';
import { createKafka, ensureTopics, parseBrokers, TopicNamespace } from '..';

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const kafka = createKafka({ brokers: parseBrokers(brokers), clientId: 'topic-setup' });
  const created = await ensureTopics(kafka, new TopicNamespace(process.env.KAFKA_TOPIC_PREFIX ?? ''), allTopics(), {
    partitions: Number(process.env.KAFKA_PARTITIONS ?? 6),
    replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
  });
  process.stdout.write(`topics ready (${created.length} created): ${allTopics().join(', ')}\n`);
}

main().catch((err) => {
  process.stderr.write(`topic setup failed: ${err.message}\n`);
  process.exit(1);
});
