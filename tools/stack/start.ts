/**
 * `npm start`: broker (unless KAFKA_BROKERS; three local brokers with KAFKA_CLUSTER_SIZE=3), database,
 * migrations, topics, the five services (STACK_REPLICAS processes of each) and the console; prints
 * their URLs and the development credentials; Ctrl-C stops everything cleanly.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { firstKeyWithRole } from '../../libs/platform/src/api-keys';
import { REPO_ROOT } from './dev-secrets';
import { CONSOLE, SERVICES, Stack } from './stack';

async function main(): Promise<void> {
  const stack = new Stack();
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping services…\n');
    await stack.stop();
    process.stdout.write('stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  process.stdout.write('building services…\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  process.stdout.write('starting Kafka and preparing the database and topics…\n');
  await stack.startInfrastructure();
  process.stdout.write(`Kafka at ${stack.env.KAFKA_BROKERS}; starting services…\n`);
  await stack.startAll();
  await stack.startService(CONSOLE.name);

  // The key printed is an admin's: with several keys in API_KEYS the first may be an analyst's.
  const apiKey = firstKeyWithRole(stack.env.API_KEYS, 'admin') ?? '(none: API_KEYS has no admin key; sign in with one of its keys)';
  process.stdout.write(`
The suite is up (logs in ${join('.cache', 'logs')}):
${SERVICES.map((s) => `  ${s.name.padEnd(16)} ${stack.urls(s.name).join(' ')}   (docs ${stack.url(s.name)}/docs)`).join('\n')}

  Console (analysts' web app): ${stack.url(CONSOLE.name)}   sign in with an API key below

Development credentials (generated once, kept in .cache/dev-secrets.json):
  DIDIT_WEBHOOK_SECRET     ${stack.env.DIDIT_WEBHOOK_SECRET}
  STANDARD_WEBHOOK_SECRET  ${stack.env.STANDARD_WEBHOOK_SECRET}
  other providers          SUMSUB_WEBHOOK_SECRET, ONFIDO_WEBHOOK_TOKEN, VERIFF_SHARED_SECRET + VERIFF_API_KEY, PERSONA_WEBHOOK_SECRET in that file
  API key (admin)          ${apiKey}
  audit public key         ${stack.env.AUDIT_PUBLIC_KEY?.split('\n').slice(1, -2).join('')}

Try: npm run demo        Stop: Ctrl-C
`);
}

main().catch((err) => {
  process.stderr.write(`npm start failed: ${err.message}\n`);
  process.exit(1);
});
