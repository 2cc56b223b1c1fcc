import type { Kafka } from 'kafkajs';
import type { TopicNamespace } from './kafka';

/** Creates the topics that are missing (logical names, mapped through the namespace). */
export async function ensureTopics(
  kafka: Kafka,
  ns: TopicNamespace,
  topics: string[],
  opts: { partitions?: number; replicationFactor?: number } = {},
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.map((t) => ns.physical(t)).filter((t) => !existing.has(t));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: opts.partitions ?? 6, replicationFactor: opts.replicationFactor ?? 1 })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
