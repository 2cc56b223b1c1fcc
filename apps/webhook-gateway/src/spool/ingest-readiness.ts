import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { Admin } from 'kafkajs';
import { ReadinessRegistry } from '@compliance/observability';
import { KafkaCircuit } from './kafka-circuit';
import { ping } from './spool.repository';
import { SpoolStore } from './spool.store';

const PROBE_TIMEOUT_MS = 1500;
const PROBE_CACHE_MS = 1000;

interface Probe {
  kafka: boolean;
  database: boolean;
}

/**
 * Readiness means "can make a webhook durable": Kafka or, in its place, the Postgres spool. A load
 * balancer that took the gateway out of rotation while Kafka is down would turn a recoverable outage
 * into lost Didit deliveries, so the platform's kafka and database checks are replaced by ones that
 * stay up while the other path works, and say so in their details. A non-empty spool is reported,
 * never a failure.
 */
@Injectable()
export class IngestReadiness implements OnApplicationBootstrap, OnModuleDestroy {
  private admin?: Admin;
  private last?: { at: number; probe: Promise<Probe> };

  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly dataSource: DataSource,
    private readonly kafka: Kafka,
    private readonly store: SpoolStore,
    private readonly circuit: KafkaCircuit,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.add('kafka', async () => {
      const p = await this.probe();
      return { up: p.kafka || p.database, details: { reachable: p.kafka, ...(p.kafka ? {} : { fallback: 'webhooks are spooled to Postgres' }) } };
    });
    this.readiness.add('database', async () => {
      const p = await this.probe();
      return { up: p.database || p.kafka, details: { reachable: p.database, ...(p.database ? {} : { fallback: 'webhooks go to Kafka without dedupe' }) } };
    });
    this.readiness.add('spool', async () => {
      const spool = await this.store.depth().catch(() => undefined);
      return {
        up: true,
        details: { depth: spool?.depth ?? null, oldestSpooledAt: spool?.oldestSpooledAt ?? null, kafkaFailingSince: this.circuit.failingSince() ?? null },
      };
    });
  }

  private probe(): Promise<Probe> {
    if (!this.last || Date.now() - this.last.at > PROBE_CACHE_MS) this.last = { at: Date.now(), probe: this.runProbe() };
    return this.last.probe;
  }

  private async runProbe(): Promise<Probe> {
    const [kafka, database] = await Promise.all([
      withTimeout(this.kafkaAnswers(), PROBE_TIMEOUT_MS),
      withTimeout(ping(this.dataSource).then(() => true), PROBE_TIMEOUT_MS),
    ]);
    return { kafka, database };
  }

  private async kafkaAnswers(): Promise<boolean> {
    this.admin ??= this.kafka.admin();
    try {
      await this.admin.connect();
      await this.admin.describeCluster();
      return true;
    } catch {
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      return false;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}

async function withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
