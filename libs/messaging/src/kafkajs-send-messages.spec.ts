import { createSendMessages, kafkajsSendFixInstalled } from './kafkajs-send-messages';

/* eslint-disable @typescript-eslint/no-require-imports */
const createRetry = require('kafkajs/src/retry') as (options: object) => Parameters<typeof createSendMessages>[0]['retrier'];
const { KafkaJSProtocolError } = require('kafkajs/src/errors') as { KafkaJSProtocolError: new (e: object) => Error };

/**
 * A two-broker cluster in miniature, as kafkajs's producer sees it: who leads each partition, and
 * brokers that answer or fail as scripted. What this checks is the producer's bookkeeping between
 * attempts, so the brokers are scripted; the failover itself is exercised on three real brokers by
 * `npm run chaos:cluster`.
 */
function cluster(leaders: Record<number, number>) {
  const sent: Array<{ broker: number; partitions: Array<{ partition: number; values: string[]; firstSequence: number }> }> = [];
  const failures = new Map<number, number>();
  const sequences = new Map<number, number>();
  const brokers = new Map<number, { nodeId: number; produce(request: { topicData: Array<{ topic: string; partitions: Array<{ partition: number; messages: Array<{ value: string }>; firstSequence: number }> }> }): Promise<unknown> }>();
  const broker = (nodeId: number) => {
    if (!brokers.has(nodeId)) {
      brokers.set(nodeId, {
        nodeId,
        async produce({ topicData }) {
          await new Promise((r) => setTimeout(r, 5));
          const partitions = topicData[0].partitions.map((p) => ({ partition: p.partition, values: p.messages.map((m) => m.value), firstSequence: p.firstSequence }));
          if ((failures.get(nodeId) ?? 0) > 0) {
            failures.set(nodeId, failures.get(nodeId)! - 1);
            // The broker lost leadership: everything it led moves to the other broker.
            for (const [p, leader] of Object.entries(leaders)) if (leader === nodeId) leaders[Number(p)] = nodeId === 1 ? 2 : 1;
            throw new KafkaJSProtocolError({ type: 'NOT_LEADER_FOR_PARTITION', code: 6, retriable: true, message: 'not the leader' });
          }
          sent.push({ broker: nodeId, partitions });
          return {
            topics: topicData.map((t) => ({
              topicName: t.topic,
              partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: String(p.firstSequence), logAppendTime: '-1', logStartOffset: '0' })),
            })),
          };
        },
      });
    }
    return brokers.get(nodeId)!;
  };
  const context: Parameters<typeof createSendMessages>[0] = {
    logger: { debug: () => undefined, error: () => undefined },
    cluster: {
      targetTopics: new Set<string>(),
      refreshMetadataIfNecessary: async () => undefined,
      refreshMetadata: async () => undefined,
      addMultipleTargetTopics: async () => undefined,
      isConnected: () => true,
      removeBroker: () => undefined,
      connect: async () => undefined,
      findTopicPartitionMetadata: () => Object.keys(leaders).map((p) => ({ partitionId: Number(p), leader: leaders[Number(p)] })),
      findLeaderForPartitions: (_topic: string, partitions: number[]) => {
        const perLeader: Record<string, number[]> = {};
        for (const p of partitions) (perLeader[leaders[p]] ??= []).push(Number(p));
        return perLeader;
      },
      findBroker: async ({ nodeId }: { nodeId: string | number }) => broker(Number(nodeId)),
    },
    // Each message names its partition.
    partitioner: ({ message }) => Number((message as { key: string }).key),
    eosManager: {
      isTransactional: () => false,
      acquireBrokerLock: async () => undefined,
      releaseBrokerLock: async () => undefined,
      getSequence: (_topic: string, p: number) => sequences.get(p) ?? 0,
      updateSequence: (_topic: string, p: number, n: number) => sequences.set(p, (sequences.get(p) ?? 0) + n),
      getProducerId: () => 1,
      getProducerEpoch: () => 0,
    },
    retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
  };
  return { context, sent, failures, sequences };
}

const messages = (pairs: Array<[partition: number, value: string]>) => pairs.map(([p, value]) => ({ key: String(p), value }));

describe('kafkajs send with answers kept per partition (tulios/kafkajs#1303)', () => {
  it('is installed in place of kafkajs’s own before any producer exists', () => {
    expect(kafkajsSendFixInstalled()).toBe(true);
    expect(require('kafkajs/src/producer/sendMessages')).toBe(createSendMessages);
  });

  it('sends a failed broker’s partitions to the broker that took them over, even when that broker already answered', async () => {
    // Broker 1 leads partition 0, broker 2 partition 1; broker 2 fails once and its partition moves to broker 1.
    const { context, sent, failures } = cluster({ 0: 1, 1: 2 });
    failures.set(2, 1);
    const answers = await createSendMessages(context)({ acks: -1, topicMessages: [{ topic: 't', messages: messages([[0, 'a'], [1, 'b'], [1, 'c']]) }] });
    const delivered = sent.flatMap((s) => s.partitions.flatMap((p) => p.values.map((v) => `${s.broker}:${p.partition}:${v}`)));
    // kafkajs 2.2.4 sends only 'a' here and resolves: broker 1 had answered, so it is not asked again.
    expect(delivered.sort()).toEqual(['1:0:a', '1:1:b', '1:1:c']);
    expect(answers.map((a) => [a.topicName, a.partition]).sort()).toEqual([['t', 0], ['t', 1]]);
  });

  it('is still needed: kafkajs’s own send drops the moved partition in the same case and reports success', async () => {
    let original!: typeof createSendMessages;
    jest.isolateModules(() => {
      original = require('kafkajs/src/producer/sendMessages');
    });
    expect(original).not.toBe(createSendMessages);
    const { context, sent, failures } = cluster({ 0: 1, 1: 2 });
    failures.set(2, 1);
    await original(context)({ acks: -1, topicMessages: [{ topic: 't', messages: messages([[0, 'a'], [1, 'b'], [1, 'c']]) }] });
    // When this fails, kafkajs has the fix (tulios/kafkajs#1798): this module can go.
    expect(sent.flatMap((s) => s.partitions.flatMap((p) => p.values))).toEqual(['a']);
  });

  it('never sends an answered partition again, and gives a retried partition the sequence number it first had', async () => {
    const { context, sent, failures, sequences } = cluster({ 0: 1, 1: 2, 2: 2 });
    failures.set(2, 2);
    await createSendMessages(context)({ acks: -1, topicMessages: [{ topic: 't', messages: messages([[0, 'a'], [1, 'b'], [2, 'c'], [2, 'd']]) }] });
    const perPartition = sent.flatMap((s) => s.partitions);
    expect(perPartition.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(perPartition.every((p) => p.firstSequence === 0)).toBe(true);
    expect(Object.fromEntries(sequences)).toEqual({ 0: 1, 1: 1, 2: 2 });
  });

  it('fails, sending nothing twice, when a partition finds no broker that takes it within the retries', async () => {
    const { context, sent, failures } = cluster({ 0: 1, 1: 2 });
    failures.set(1, 10);
    failures.set(2, 10);
    await expect(createSendMessages(context)({ acks: -1, topicMessages: [{ topic: 't', messages: messages([[0, 'a'], [1, 'b']]) }] })).rejects.toThrow(/not the leader/);
    expect(sent).toEqual([]);
  });
});
