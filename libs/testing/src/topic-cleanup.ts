import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** Names one test run, so that its clean-up leaves alone the topics of runs going on at the same time. */
export function testRunId(): string {
  process.env.TEST_RUN_ID ??= randomBytes(3).toString('hex');
  return process.env.TEST_RUN_ID;
}

/** Topics of one run's test namespaces (`testNamespace()`: `<label>-<run id><8 hex>.`), never a deployment's own. */
export const testTopicsOfRun = (runId: string): RegExp => new RegExp(`^[A-Za-z0-9]{0,12}-${runId}[0-9a-f]{8}\\.`);

/**
 * Deletes the topics the run's test files created, so a long-lived broker does not collect thousands
 * of partitions run after run (it slows every client of that broker). Returns how many went.
 */
export function deleteTestTopics(brokers: string, runId: string): Promise<number> {
  const ofRun = testTopicsOfRun(runId);
  return deleteTopicsMatching(brokers, (t) => ofRun.test(t));
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
