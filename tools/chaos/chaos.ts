/**
 * Chaos test (`npm run chaos`): 2,000 signed webhooks for 500 sessions, 20 % sent twice (half under
 * a new event_id), partly out of order; meanwhile each service is SIGKILLed once and restarted and
 * the broker is restarted once. Then every effect is reconciled against the model: no loss, no
 * double effect, empty DLQs, a verifying audit chain. Exits 1 on any mismatch.
 *
 *   npm run chaos [-- --rate 200]   (webhooks per second, default 20; or CHAOS_RATE)
 *
 * The plan, the client and the reconciliation are shared with `npm run chaos:cluster` (run.ts).
 */
import { parseArgs } from 'node:util';
import { restartBroker, stopBroker } from '../kafka/broker';
import type { ServiceName, Stack } from '../stack/stack';
import { runChaos, sleep, type Fault } from './run';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 500);
const SEED = Number(process.env.CHAOS_SEED ?? 20261126);
const RATE = Number(parseArgs({ options: { rate: { type: 'string' } } }).values.rate ?? process.env.CHAOS_RATE ?? 20);
if (!(RATE > 0)) throw new Error('--rate takes a positive number of webhooks per second');
const WEBHOOKS = Number(process.env.CHAOS_WEBHOOKS ?? 2000);
const KAFKA_PORT = Number(process.env.CHAOS_KAFKA_PORT ?? 19392);

function faults(brokerRestartable: boolean): Fault[] {
  const kill = (name: ServiceName) => async (stack: Stack) => {
    await stack.kill(name, 'SIGKILL');
    await sleep(1000);
    await stack.startService(name);
  };
  const list: Fault[] = [
    { at: 0.1, what: 'SIGKILL webhook-gateway', run: kill('webhook-gateway') },
    { at: 0.22, what: 'SIGKILL kyc-results', run: kill('kyc-results') },
    { at: 0.34, what: 'SIGKILL aml-trigger', run: kill('aml-trigger') },
    { at: 0.58, what: 'SIGKILL retention', run: kill('retention') },
    { at: 0.7, what: 'SIGKILL audit-log', run: kill('audit-log') },
  ];
  if (brokerRestartable) list.push({ at: 0.46, what: 'restart Kafka broker', run: async () => void (await restartBroker({ port: KAFKA_PORT })) });
  return list;
}

const brokerRestartable = !process.env.KAFKA_BROKERS;
runChaos({
  label: 'chaos',
  rate: RATE,
  sessions: SESSIONS,
  webhooks: WEBHOOKS,
  seed: SEED,
  portBase: 3400,
  stack: { kafkaPort: KAFKA_PORT, partitions: 6 },
  faults: () => faults(brokerRestartable),
  // The broker restarted mid-run is another process than the one the stack started: stop it by its pid file.
  cleanup: async () => void (brokerRestartable && (await stopBroker({ port: KAFKA_PORT }))),
}).catch((err) => {
  process.stderr.write(`chaos test crashed: ${err.stack ?? err}\n`);
  process.exit(1);
});
