import { ConfigResourceTypes } from 'kafkajs';
import { Topics } from '@compliance/contracts';
import { TopicNamespace } from './kafka';
import { defaultReplicationFactor, ensureTopics } from './topic-admin';
import { testKafka, testNamespace } from './testing';

describe('defaultReplicationFactor', () => {
  it('is one replica per broker up to three', () => {
    expect([0, 1, 2, 3, 4, 7].map(defaultReplicationFactor)).toEqual([1, 1, 2, 3, 3, 3]);
  });
});

describe('ensureTopics (real Kafka: one broker, or a cluster with KAFKA_CLUSTER_SIZE)', () => {
  const kafka = testKafka('topic-admin-spec');
  const admin = kafka.admin();

  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  /** On a cluster a broker may not know a new topic yet for a moment: ask again. */
  const replicasOf = async (topic: string): Promise<number[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        return topics[0].partitions.map((p) => p.replicas.length);
      } catch (err) {
        if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  it('replicates a new topic as the cluster allows when no replication factor is given, and keeps existing topics', async () => {
    const ns = new TopicNamespace(testNamespace('topicadmin'));
    const brokers = (await admin.describeCluster()).brokers.length;
    expect(await ensureTopics(kafka, ns, ['rf-default'], { partitions: 2 })).toEqual([ns.physical('rf-default')]);
    expect(await replicasOf(ns.physical('rf-default'))).toEqual([defaultReplicationFactor(brokers), defaultReplicationFactor(brokers)]);
    expect(await ensureTopics(kafka, ns, ['rf-default'], { partitions: 2 })).toEqual([]);
  });

  /** The topic's cleanup.policy and retention.ms as the broker reports them. */
  const retentionOf = async (topic: string): Promise<Record<string, string>> => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms'] }],
    });
    return Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  };

  it('creates audit.checkpoints.v1 compacted and kept forever, and gives an existing one those settings', async () => {
    const ns = new TopicNamespace(testNamespace('topicadmin'));
    await ensureTopics(kafka, ns, [Topics.AuditCheckpoints, Topics.KycVerifications], { partitions: 1 });
    expect(await retentionOf(ns.physical(Topics.AuditCheckpoints))).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    // A topic without settings in the contract keeps the broker's defaults.
    expect(await retentionOf(ns.physical(Topics.KycVerifications))).toMatchObject({ 'cleanup.policy': 'delete' });

    // Created before its settings were part of the contract (the broker's defaults: deleted after a week).
    const older = new TopicNamespace(testNamespace('topicadmin'));
    await admin.createTopics({ topics: [{ topic: older.physical(Topics.AuditCheckpoints), numPartitions: 1, replicationFactor: 1 }] });
    expect(await retentionOf(older.physical(Topics.AuditCheckpoints))).not.toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    expect(await ensureTopics(kafka, older, [Topics.AuditCheckpoints])).toEqual([]);
    expect(await retentionOf(older.physical(Topics.AuditCheckpoints))).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
  });

  it('takes an explicit replication factor', async () => {
    const ns = new TopicNamespace(testNamespace('topicadmin'));
    await ensureTopics(kafka, ns, ['rf-one'], { partitions: 1, replicationFactor: 1 });
    expect(await replicasOf(ns.physical('rf-one'))).toEqual([1]);
  });
});
