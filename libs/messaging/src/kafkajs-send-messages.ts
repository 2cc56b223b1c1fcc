/**
 * kafkajs 2.2.4 can report a send as done when part of it was never sent (tulios/kafkajs#1303): its
 * producer remembers which *brokers* answered, and on a retry sends again only to brokers that had
 * not. When a broker fails mid-send and its partitions move to a broker that already answered for
 * other partitions, the moved partitions' records are never sent, and `send` resolves as if they
 * were. On a multi-broker cluster that turns a leader failover into silent loss: the gateway answers
 * 202, the outbox deletes its rows.
 *
 * This replaces kafkajs's `sendMessages` with one that remembers answers per topic and partition: a
 * retry sends every partition that has no answer yet to whichever broker leads it now, and an attempt
 * waits for all of its requests before the next one starts (so a request still in flight is never sent
 * a second time beside itself). Messages are assigned to partitions once, on the first attempt that
 * has metadata, so a retry cannot move a keyless message to another partition.
 *
 * kafkajs reads `sendMessages` once, when its producer module loads; this module must therefore load
 * before kafkajs itself (libs/messaging's kafka.ts imports it first; Jest loads it as a setup file).
 * `kafkajsSendFixInstalled()` says whether it did.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

type Broker = { nodeId: number; produce(request: Record<string, unknown>): Promise<any> };
type PartitionAnswer = { topicName: string; partition: number; [field: string]: unknown };

interface SendContext {
  logger: { debug(message: string, extra?: object): void; error(message: string, extra?: object): void };
  cluster: any;
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
  eosManager: any;
  retrier: <T>(fn: (bail: (e: Error) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;
}

interface SendRequest {
  acks: number;
  timeout?: number;
  compression?: number;
  topicMessages: { topic: string; messages: unknown[] }[];
}

const SEND_MESSAGES = 'kafkajs/src/producer/sendMessages';
const MESSAGE_PRODUCER = 'kafkajs/src/producer/messageProducer';

export function createSendMessages({ logger, cluster, partitioner, eosManager, retrier }: SendContext) {
  const { KafkaJSMetadataNotLoaded } = require('kafkajs/src/errors');
  const { staleMetadata } = require('kafkajs/src/protocol/error');
  const responseSerializer = require('kafkajs/src/producer/responseSerializer') as (response: unknown) => PartitionAnswer[];

  return async ({ acks, timeout, compression, topicMessages }: SendRequest): Promise<PartitionAnswer[]> => {
    /** Messages of each topic by partition, fixed on the first attempt that knows the topic. */
    const assigned = new Map<string, Map<number, unknown[]>>();
    /** Answers by topic, then partition: a partition with an answer is never sent again. */
    const answered = new Map<string, Map<number, PartitionAnswer[]>>();

    const assign = (topic: string, messages: unknown[]): Map<number, unknown[]> => {
      const known = assigned.get(topic);
      if (known) return known;
      const partitionMetadata = cluster.findTopicPartitionMetadata(topic);
      if (partitionMetadata.length === 0) {
        logger.debug('Producing to topic without metadata', { topic, targetTopics: Array.from(cluster.targetTopics) });
        throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata');
      }
      const byPartition = new Map<number, unknown[]>();
      for (const message of messages) {
        const partition = partitioner({ topic, partitionMetadata, message });
        const list = byPartition.get(partition);
        if (list) list.push(message);
        else byPartition.set(partition, [message]);
      }
      assigned.set(topic, byPartition);
      answered.set(topic, new Map());
      return byPartition;
    };

    /** What each broker leads, of the partitions that have no answer yet. */
    const plan = async (): Promise<Map<Broker, { topic: string; partitions: number[] }[]>> => {
      await cluster.refreshMetadataIfNecessary();
      const perBroker = new Map<Broker, { topic: string; partitions: number[] }[]>();
      for (const { topic, messages } of topicMessages) {
        const byPartition = assign(topic, messages);
        const done = answered.get(topic)!;
        const pending = [...byPartition.keys()].filter((p) => !done.has(p));
        if (pending.length === 0) continue;
        const perLeader: Record<string, number[]> = cluster.findLeaderForPartitions(topic, pending);
        for (const [nodeId, partitions] of Object.entries(perLeader)) {
          const broker: Broker = await cluster.findBroker({ nodeId });
          const list = perBroker.get(broker) ?? [];
          list.push({ topic, partitions: partitions.map(Number) });
          perBroker.set(broker, list);
        }
      }
      return perBroker;
    };

    const sendTo = async (broker: Broker, work: { topic: string; partitions: number[] }[]): Promise<void> => {
      await eosManager.acquireBrokerLock(broker);
      try {
        const topicData = work
          .map(({ topic, partitions }) => ({
            topic,
            partitions: partitions
              .filter((partition) => !answered.get(topic)!.has(partition))
              .map((partition) => ({ partition, messages: assigned.get(topic)!.get(partition)!, firstSequence: 0 })),
          }))
          .filter(({ partitions }) => partitions.length > 0);
        if (topicData.length === 0) return;
        if (eosManager.isTransactional()) await eosManager.addPartitionsToTransaction(topicData);
        for (const { topic, partitions } of topicData) {
          for (const entry of partitions) {
            entry.firstSequence = eosManager.getSequence(topic, entry.partition);
            eosManager.updateSequence(topic, entry.partition, entry.messages.length);
          }
        }
        let response: unknown;
        try {
          response = await broker.produce({
            transactionalId: eosManager.isTransactional() ? eosManager.getTransactionalId() : undefined,
            producerId: eosManager.getProducerId(),
            producerEpoch: eosManager.getProducerEpoch(),
            acks,
            timeout,
            compression,
            topicData,
          });
        } catch (e) {
          for (const { topic, partitions } of topicData) {
            for (const entry of partitions) eosManager.updateSequence(topic, entry.partition, -entry.messages.length);
          }
          throw e;
        }
        const answers = acks !== 0 ? responseSerializer(response) : [];
        for (const { topic, partitions } of topicData) {
          const done = answered.get(topic)!;
          for (const { partition } of partitions) done.set(partition, answers.filter((a) => a.topicName === topic && a.partition === partition));
        }
      } finally {
        await eosManager.releaseBrokerLock(broker);
      }
    };

    return retrier(async (bail, retryCount, retryTime) => {
      await cluster.addMultipleTargetTopics(topicMessages.map(({ topic }) => topic));
      try {
        const perBroker = await plan();
        const outcomes = await Promise.allSettled([...perBroker].map(([broker, work]) => sendTo(broker, work)));
        const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        if (failed) throw failed.reason;
        return [...answered.values()].flatMap((byPartition) => [...byPartition.values()].flat());
      } catch (e: any) {
        if (e.name === 'KafkaJSConnectionClosedError') cluster.removeBroker({ host: e.host, port: e.port });
        if (!cluster.isConnected()) {
          logger.debug(`Cluster has disconnected, reconnecting: ${e.message}`, { retryCount, retryTime });
          await cluster.connect();
          await cluster.refreshMetadata();
          throw e;
        }
        if (
          staleMetadata(e) ||
          e.name === 'KafkaJSMetadataNotLoaded' ||
          e.name === 'KafkaJSConnectionError' ||
          e.name === 'KafkaJSConnectionClosedError' ||
          (e.name === 'KafkaJSProtocolError' && e.retriable)
        ) {
          logger.error(`Failed to send messages: ${e.message}`, { retryCount, retryTime });
          await cluster.refreshMetadata();
          throw e;
        }
        logger.error(`${e.message}`, { retryCount, retryTime });
        if (e.retriable) throw e;
        bail(e);
        return [];
      }
    });
  };
}

type Registry = Record<string, { exports: unknown } | undefined>;
const sendMessagesEntry = () => (require.cache as Registry)[require.resolve(SEND_MESSAGES)];

// Too late once kafkajs's producer module has loaded: it holds the original then.
if (!(require.cache as Registry)[require.resolve(MESSAGE_PRODUCER)]) {
  require(SEND_MESSAGES);
  const entry = sendMessagesEntry();
  if (entry) entry.exports = createSendMessages;
}

/** True when kafkajs's producers send with the per-partition fix (this module loaded before kafkajs). */
export function kafkajsSendFixInstalled(): boolean {
  return sendMessagesEntry()?.exports === createSendMessages;
}
