/**
 * Worker thread of CompletionReader: a plain kafkajs consumer on the topics of the pipeline's
 * milestones (webhooks.inbound.v1, kyc.verifications.v1, aml.screenings.v1) that keeps only the
 * records of the milestone types and hands (milestone, session id, Kafka timestamp) triples to the
 * main thread in batches. It decodes nothing but the ce_type header and the key (every one of these
 * topics is keyed by session id): at 2,000 webhooks/s the topics carry several records per webhook,
 * and the load client's main thread must stay free to send on time.
 */
import { randomBytes } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';

export interface Milestone {
  /** What the reader calls it (e.g. "completed"). */
  name: string;
  /** Physical topic name (namespace prefix included). */
  topic: string;
  /** The ce_type of the records that mark it. */
  type: string;
  /**
   * Also report the record's `ce_time` under this name: when the producing service built the event
   * (inside the transaction that wrote it to the outbox), so the gap to the Kafka timestamp is its
   * commit and outbox relay.
   */
  builtAs?: string;
}

export interface CompletionWorkerData {
  brokers: string[];
  milestones: Milestone[];
}

export type CompletionWorkerMessage =
  | { type: 'ready' }
  | { type: 'reached'; triples: Array<[milestone: string, sessionId: string, timestamp: number]> }
  | { type: 'error'; message: string };

async function main(data: CompletionWorkerData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('completion-worker runs as a worker thread');
  const post = (m: CompletionWorkerMessage) => port.postMessage(m);
  const kafka = new Kafka({ brokers: data.brokers, clientId: 'bench-load-reader', logLevel: logLevel.ERROR });
  const topics = [...new Set(data.milestones.map((m) => m.topic))];
  // Start at the current end of each partition: earlier records are not ours, and a long-lived
  // stack can hold millions of them.
  const admin = kafka.admin();
  await admin.connect();
  const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
  await admin.disconnect();
  const byTopicType = new Map(data.milestones.map((m) => [`${m.topic}\u0000${m.type}`, m]));

  // Latency is read off each record's Kafka timestamp, not off when it is read here: the reader lets
  // the broker gather 100 ms of records per fetch, so the instrument wakes ten times a second instead
  // of once per record and takes less of the machine it measures.
  const consumer = kafka.consumer({ groupId: `bench-load-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100, minBytes: 1024 * 1024 });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const triples: Array<[string, string, number]> = [];
      for (const m of batch.messages) {
        const type = m.headers?.ce_type?.toString();
        const milestone = type === undefined ? undefined : byTopicType.get(`${batch.topic}\u0000${type}`);
        if (!milestone || !m.key) continue;
        const sessionId = m.key.toString();
        triples.push([milestone.name, sessionId, Number(m.timestamp)]);
        const built = milestone.builtAs && m.headers?.ce_time ? Date.parse(m.headers.ce_time.toString()) : NaN;
        if (milestone.builtAs && !Number.isNaN(built)) triples.push([milestone.builtAs, sessionId, built]);
      }
      if (triples.length) post({ type: 'reached', triples });
    },
  });
  for (const { topic, offsets } of ends) for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
  await joined;
  post({ type: 'ready' });
  port.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void consumer.disconnect().finally(() => process.exit(0));
  });
}

main(workerData as CompletionWorkerData).catch((err) => {
  parentPort?.postMessage({ type: 'error', message: (err as Error).message } satisfies CompletionWorkerMessage);
});
