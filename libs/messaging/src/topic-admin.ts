import type { Admin, Kafka } from 'kafkajs';
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
      // kafkajs' own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
      // answers for a moment after creating a topic (metadata propagates asynchronously).
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({ topic, numPartitions: opts.partitions ?? 6, replicationFactor: opts.replicationFactor ?? 1 })),
      });
      await waitForLeaders(admin, missing);
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

const TRANSIENT = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (!TRANSIENT.has((err as { type?: string }).type ?? '')) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
