/**
 * `npm run topics`: creates every catalogue topic plus each group's retry/DLQ topics (used by compose).
 * With `KAFKA_APPLY_ACLS=true` (run as the admin principal of a broker with ACLs) it also grants each
 * service's principal (and the console's) — named as the service — what `serviceAcls` says.
 */
import { allTopics } from '@compliance/contracts';
import { applyServiceAcls, createKafka, ensureTopics, parseBrokers, saslFromEnv, SUITE_PRINCIPALS, TopicNamespace } from '..';

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const kafka = createKafka({ brokers: parseBrokers(brokers), clientId: 'topic-setup', sasl: saslFromEnv(process.env), ssl: process.env.KAFKA_SSL === 'true' });
  const ns = new TopicNamespace(process.env.KAFKA_TOPIC_PREFIX ?? '');
  const created = await ensureTopics(kafka, ns, allTopics(), {
    partitions: Number(process.env.KAFKA_PARTITIONS ?? 6),
    // Unset: as the cluster allows (3 replicas on three brokers or more, 1 on a single broker).
    replicationFactor: process.env.KAFKA_REPLICATION_FACTOR ? Number(process.env.KAFKA_REPLICATION_FACTOR) : undefined,
  });
  process.stdout.write(`topics ready (${created.length} created): ${allTopics().join(', ')}\n`);
  if (process.env.KAFKA_APPLY_ACLS === 'true') {
    const n = await applyServiceAcls(kafka, ns, [...SUITE_PRINCIPALS]);
    process.stdout.write(`ACLs granted: ${n}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`topic setup failed: ${err.message}\n`);
  process.exit(1);
});
