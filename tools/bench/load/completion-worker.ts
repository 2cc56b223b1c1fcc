/**
 * Worker thread of CompletionReader: a plain kafkajs consumer on aml.screenings.v1 that keeps only
 * `aml.screening.completed` records and hands (session id, Kafka timestamp) pairs to the main
 * thread in batches. It decodes nothing but the ce_type header and, for those records, the JSON
 * value: at 2,000 webhooks/s the topic carries twice that many records, and the load client's
 * main thread must stay free to send on time.
 */
import { randomBytes } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';

export interface CompletionWorkerData {
  brokers: string[];
  /** Physical topic name (namespace prefix included). */
  topic: string;
  completedType: string;
}

export type CompletionWorkerMessage = { type: 'ready' } | { type: 'completed'; pairs: Array<[string, number]> } | { type: 'error'; message: string };

async function main(data: CompletionWorkerData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('completion-worker runs as a worker thread');
  const post = (m: CompletionWorkerMessage) => port.postMessage(m);
  const kafka = new Kafka({ brokers: data.brokers, clientId: 'bench-load-reader', logLevel: logLevel.ERROR });
  // Start at the current end of each partition: earlier screenings are not ours, and a long-lived
  // stack can hold millions of them.
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(data.topic);
  await admin.disconnect();

  // Latency is read off each completion's Kafka timestamp, not off when it is read here: the reader
  // lets the broker gather 100 ms of completions per fetch, so the instrument wakes ten times a
  // second instead of once per record and takes less of the machine it measures.
  const consumer = kafka.consumer({ groupId: `bench-load-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100, minBytes: 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: data.topic, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const pairs: Array<[string, number]> = [];
      for (const m of batch.messages) {
        if (m.headers?.ce_type?.toString() !== data.completedType || !m.value) continue;
        const sessionId = (JSON.parse(m.value.toString()) as { sessionId?: string }).sessionId;
        if (sessionId) pairs.push([sessionId, Number(m.timestamp)]);
      }
      if (pairs.length) post({ type: 'completed', pairs });
    },
  });
  for (const { partition, offset } of ends) consumer.seek({ topic: data.topic, partition, offset });
  await joined;
  post({ type: 'ready' });
  port.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void consumer.disconnect().finally(() => process.exit(0));
  });
}

main(workerData as CompletionWorkerData).catch((err) => {
  parentPort?.postMessage({ type: 'error', message: (err as Error).message } satisfies CompletionWorkerMessage);
});
