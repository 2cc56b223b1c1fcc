import { Kafka, logLevel } from 'kafkajs';
import { LossyKafkaProxy, waitFor } from '@compliance/testing';
import { TopicNamespace } from './kafka';
import { ensureTopics } from './topic-admin';
import { EventProducer } from './producer';
import { testBrokers, testNamespace, TopicReader } from './testing';

const TOPIC = 'loss-probe';

describe('EventProducer when the broker writes a batch but its answer is lost (real Kafka)', () => {
  const namespace = testNamespace('producer');
  const ns = new TopicNamespace(namespace);
  let proxy: LossyKafkaProxy;
  let producer: EventProducer;
  let reader: TopicReader;

  beforeAll(async () => {
    proxy = await LossyKafkaProxy.start(testBrokers().split(',')[0]);
    const kafka = new Kafka({
      clientId: 'lossy-producer',
      brokers: [`127.0.0.1:${proxy.port}`],
      socketFactory: proxy.socketFactory,
      connectionTimeout: 3000,
      retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 1000 },
      logLevel: logLevel.NOTHING,
    });
    // One partition: every record below shares its sequence numbers.
    await ensureTopics(kafka, ns, [TOPIC], { partitions: 1 });
    producer = new EventProducer(kafka, ns);
    reader = await new TopicReader(namespace, [TOPIC]).start();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await reader?.stop();
    await proxy?.stop();
  });

  it('keeps every record of concurrent sends while one of them is retried', async () => {
    await producer.send(TOPIC, [{ key: 'k', value: 'warm-up', headers: {} }]);
    const sent: string[] = ['warm-up'];
    for (let round = 0; round < 6; round++) {
      proxy.loseProduceAnswers(1);
      const values = [`r${round}-first`, `r${round}-second`, `r${round}-third`];
      const outcomes = await Promise.allSettled(values.map((value) => producer.send(TOPIC, [{ key: 'k', value, headers: {} }])));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      sent.push(...values);
    }
    expect(proxy.lost).toBe(6);
    // The first send of each round was written twice (its retry carried a new producer id or was
    // recognised as a duplicate); what matters is that nothing is missing.
    await waitFor(() => sent.every((v) => reader.on(TOPIC).some((r) => r.value === v)), { timeoutMs: 20_000 }).catch(() => undefined);
    const received = new Set(reader.on(TOPIC).map((r) => r.value));
    expect(sent.filter((v) => !received.has(v))).toEqual([]);
  });

  it('sends one batch at a time, in call order', async () => {
    const values = Array.from({ length: 40 }, (_, i) => `ordered-${i}`);
    await Promise.all(values.map((value) => producer.send(TOPIC, [{ key: 'k', value, headers: {} }])));
    await waitFor(() => values.every((v) => reader.on(TOPIC).some((r) => r.value === v)), { timeoutMs: 20_000 });
    const order = reader
      .on(TOPIC)
      .map((r) => r.value as string)
      .filter((v) => v.startsWith('ordered-'));
    expect(order).toEqual(values);
  });
});
