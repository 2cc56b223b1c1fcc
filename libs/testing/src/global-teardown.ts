import { dropTestDatabases } from './database-cleanup';
import { deleteTestTopics, testRunId } from './topic-cleanup';

/**
 * Deletes the run's test topics and drops its test databases (not those of another run using the
 * same broker or Postgres). A broker this run started is left running for the next run on this
 * machine (start-up costs seconds); `npm run kafka -- stop` stops it. Containers, if any, are stopped.
 */
export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as { __infra?: { stop(): Promise<void>; containers?: boolean; brokers: string; databaseUrl: string } }).__infra;
  if (!infra) return;
  await deleteTestTopics(infra.brokers, testRunId()).catch((err) => process.stderr.write(`test topic cleanup failed: ${err.message}\n`));
  await dropTestDatabases(infra.databaseUrl, testRunId()).catch((err) => process.stderr.write(`test database cleanup failed: ${err.message}\n`));
  if (infra.containers || process.env.TEST_STOP_INFRA === '1') await infra.stop();
}
