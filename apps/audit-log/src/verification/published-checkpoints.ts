import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { decodeEvent, EventTypes, Topics, type AuditCheckpointData } from '@compliance/contracts';
import type { TopicNamespace } from '@compliance/messaging';

/**
 * Every checkpoint published on audit.checkpoints.v1, read from the beginning to the end the topic
 * had when the read began. The topic is the chain's anchor outside the database: kept forever, one
 * record per checkpoint. Records that are not checkpoints are skipped; the signatures are the
 * verifier's to check.
 */
export async function readPublishedCheckpoints(kafka: Kafka, ns: TopicNamespace, timeoutMs = 20_000): Promise<AuditCheckpointData[]> {
  const topic = ns.physical(Topics.AuditCheckpoints);
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];
  const found: AuditCheckpointData[] = [];
  // A throwaway group that commits nothing (the read leaves no offsets behind), named after the
  // service so that on a cluster with ACLs its principal may use it.
  const consumer = kafka.consumer({ groupId: `${ns.physical('audit-log')}-verify-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`audit.checkpoints.v1 was not read to its end within ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              try {
                const event = decodeEvent({ key: message.key, value: message.value, headers: message.headers });
                if (event.type === EventTypes.AuditCheckpoint) found.push(event.data as AuditCheckpointData);
              } catch {
                // Not a checkpoint record: nothing to hold the table to.
              }
            }
            const end = ends.get(batch.partition);
            if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) ends.delete(batch.partition);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((err) => {
          clearTimeout(timer);
          reject(err);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return found.sort((a, b) => a.sequence - b.sequence);
}
