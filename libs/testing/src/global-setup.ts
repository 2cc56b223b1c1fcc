import { provideInfrastructure } from './infrastructure';
import { testRunId } from './topic-cleanup';

/** Brings up Kafka and Postgres once for the whole run; workers read them from the environment. */
export default async function globalSetup(): Promise<void> {
  const infra = await provideInfrastructure();
  process.env.KAFKA_BROKERS = infra.brokers;
  process.env.TEST_DATABASE_URL = infra.databaseUrl;
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  testRunId(); // workers inherit it: every namespace of the run carries it
  (globalThis as { __infra?: typeof infra }).__infra = infra;
}
