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

  it('takes an explicit replication factor', async () => {
    const ns = new TopicNamespace(testNamespace('topicadmin'));
    await ensureTopics(kafka, ns, ['rf-one'], { partitions: 1, replicationFactor: 1 });
    expect(await replicasOf(ns.physical('rf-one'))).toEqual([1]);
  });
});
