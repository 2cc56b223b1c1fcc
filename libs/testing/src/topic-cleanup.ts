import { Kafka, logLevel } from 'kafkajs';

/** Topics of test namespaces (`testNamespace()`: `<label>-<8 hex>.`), never a deployment's own. */
export const TEST_TOPIC = /^[A-Za-z0-9]{0,12}-[0-9a-f]{8}\./;

/**
 * Deletes the topics test files created, so a long-lived broker does not collect thousands of
 * partitions run after run (it slows every client of that broker). Returns how many went.
 */
export function deleteTestTopics(brokers: string): Promise<number> {
  return deleteTopicsMatching(brokers, (t) => TEST_TOPIC.test(t));
}

/** Deletes one namespace's topics (a benchmark's, when it is done). */
export function deleteNamespaceTopics(brokers: string, namespace: string): Promise<number> {
  return deleteTopicsMatching(brokers, (t) => namespace !== '' && t.startsWith(namespace));
}

async function deleteTopicsMatching(brokers: string, match: (topic: string) => boolean): Promise<number> {
  const admin = new Kafka({ clientId: 'test-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter(match);
    for (let i = 0; i < topics.length; i += 200) {
      // A topic already being deleted answers UNKNOWN_TOPIC_OR_PARTITION: that is the outcome wanted.
      await admin.deleteTopics({ topics: topics.slice(i, i + 200), timeout: 60_000 }).catch(() => undefined);
    }
    return topics.length;
  } finally {
    await admin.disconnect();
  }
}
