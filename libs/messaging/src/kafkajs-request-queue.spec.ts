import { Kafka, logLevel } from 'kafkajs';
import './kafkajs-request-queue';
import { testBrokers } from './testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kafkajs request queue while idle (real Kafka)', () => {
  it('arms no timer per millisecond on an idle connection, and still sends and answers', async () => {
    const kafka = new Kafka({ brokers: testBrokers().split(','), clientId: 'idle-probe', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.listTopics();
      await sleep(200);
      const timers = jest.spyOn(global, 'setTimeout');
      await sleep(1000);
      const armed = timers.mock.calls.length;
      timers.mockRestore();
      // Unpatched, each connection re-arms its check about a thousand times a second.
      expect(armed).toBeLessThan(50);
      // Requests still go out and come back after the quiet spell.
      expect(Array.isArray(await admin.listTopics())).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });
});
