import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { EventProducer, TopicNamespace } from '@compliance/messaging';
import { Topics } from '@compliance/contracts';
import { gatewayMetrics, setSpoolDepthFrom } from '../ingest/gateway-metrics';
import { KafkaCircuit } from './kafka-circuit';
import { SpoolStore } from './spool.store';
import { Wakeup } from '@compliance/persistence';

const BATCH_ROWS = 200;
const BATCH_BYTES = 900 * 1024;
/** Polling catches holds that expired and rows spooled by other replicas; local spooling kicks at once. */
const IDLE_MS = 1000;
const MAX_BACKOFF_MS = 5000;

/**
 * Drains the spool into webhooks.inbound.v1 once Kafka takes records again, oldest first, so each
 * session keeps its order. Its successes and failures are also what opens and closes the circuit.
 */
@Injectable()
export class SpoolRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private running = false;
  private loop?: Promise<void>;
  private kicked = false;
  private readonly wakeup = new Wakeup();

  constructor(
    private readonly store: SpoolStore,
    private readonly producer: EventProducer,
    private readonly circuit: KafkaCircuit,
    private readonly logger: PinoLogger,
    private readonly namespace: TopicNamespace,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
  }

  /** Something was spooled or a hold was released: drain now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wakeup.wake();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.kicked = false;
      try {
        const published = await this.drainOnce();
        failures = 0;
        if (published > 0) continue;
      } catch (err) {
        failures++;
        this.circuit.open();
        this.logger.warn({ err: (err as Error).message, failures }, 'spool relay: Kafka did not take the spooled webhooks, will retry');
        await this.wakeup.sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures));
        continue;
      }
      if (!this.kicked) await this.wakeup.sleep(IDLE_MS);
    }
  }

  private async drainOnce(): Promise<number> {
    const lock = `webhook-gateway-spool:${this.namespace.prefix}`;
    const published = await this.store.drain(lock, BATCH_ROWS, BATCH_BYTES, (records) => this.producer.send(Topics.WebhooksInbound, records));
    if (published > 0) {
      this.circuit.close();
      gatewayMetrics.relayed.inc(published);
    }
    await setSpoolDepthFrom(async () => (await this.store.depth()).depth);
    return published;
  }

}
