// Jest `--filter`: keeps the unit or the integration specs of a run (TEST_KIND=unit | integration).
const { readFileSync } = require('node:fs');

/**
 * A spec needs Kafka and Postgres when it imports what brings them: a lib's test helpers
 * (`@compliance/<lib>/testing`, `./testing`), an app's harness (`test/…`), a Postgres client, the testing lib's broker
 * proxy or effects migration; the end-to-end suite always does. The others are unit tests.
 */
const INFRASTRUCTURE = [/from '@compliance\/[a-z]+\/testing'/, /from 'pg'/, /from '(\.\.?\/)+(testing|test\/[^']+)'/, /\b(LossyKafkaProxy|CreateTestEffects\d+)\b/];

function needsInfrastructure(path) {
  if (/[\\/]e2e[\\/]/.test(path)) return true;
  const source = readFileSync(path, 'utf8');
  return INFRASTRUCTURE.some((pattern) => pattern.test(source));
}

module.exports = (testPaths) => {
  const kind = process.env.TEST_KIND;
  if (kind !== 'unit' && kind !== 'integration') throw new Error('TEST_KIND must be unit or integration with this filter');
  const wanted = kind === 'integration';
  return { filtered: testPaths.filter((p) => needsInfrastructure(p) === wanted) };
};
