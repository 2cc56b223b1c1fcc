import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { TOPIC_CONFIGS, type TopicName } from '@compliance/contracts';
import type { TopicNamespace } from './kafka';

/** Replicas a topic gets on a cluster of `brokers` when none is asked for: three from three brokers, else one per broker. */
export function defaultReplicationFactor(brokers: number): number {
  return Math.max(1, Math.min(3, brokers));
}

/**
 * Creates the topics that are missing (logical names, mapped through the namespace). Without a
 * `replicationFactor`, it follows the cluster (`describeCluster`): 3 replicas on three brokers or more,
 * 1 on a single broker. Topics that exist keep theirs.
 */
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
      const replicationFactor = opts.replicationFactor ?? defaultReplicationFactor((await admin.describeCluster()).brokers.length);
      // kafkajs' own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
      // answers for a moment after creating a topic (metadata propagates asynchronously).
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({ topic, numPartitions: opts.partitions ?? 6, replicationFactor, configEntries: configEntriesOf(ns, topic) })),
      });
      await waitForLeaders(admin, missing);
    }
    // A topic created before its settings were part of the contract gets them now (these topics have no other overrides).
    const configured = topics.filter((t) => TOPIC_CONFIGS[t as TopicName] && existing.has(ns.physical(t)));
    if (configured.length) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: configured.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: ns.physical(t), configEntries: configEntriesOf(ns, ns.physical(t)) })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

const TRANSIENT = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Waits until the topics have leaders everywhere. On a cluster each broker learns of new topics on its
 * own and kafkajs asks any of them, so three answers in a row must say so.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let confirmed = 0;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        if (++confirmed >= 3) return;
      } else confirmed = 0;
    } catch (err) {
      if (!TRANSIENT.has((err as { type?: string }).type ?? '')) throw err;
      confirmed = 0;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The contract's settings of a topic (by its physical name), as kafkajs config entries. */
function configEntriesOf(ns: TopicNamespace, physical: string): Array<{ name: string; value: string }> {
  const logical = Object.keys(TOPIC_CONFIGS).find((t) => ns.physical(t) === physical) as TopicName | undefined;
  return Object.entries((logical && TOPIC_CONFIGS[logical]) ?? {}).map(([name, value]) => ({ name, value }));
}
