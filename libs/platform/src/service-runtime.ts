import { Injectable, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import {
  ConsumerRunner,
  createKafka,
  EventProducer,
  InboxPruner,
  messagingMetrics,
  parseBrokers,
  registerOutboxSealer,
  TopicNamespace,
  type ConsumerOptions,
  OutboxRelay,
  withMessagingMigrations,
  saslFromEnv,
} from '@compliance/messaging';
import { connectionOptions, createServiceDataSource, ensureDatabase, ensureKeyringSchema, ensureRuntimeRole, ensureSchemaOwner, LocalKeyring, runMigrationsLocked, runtimeRoleOf } from '@compliance/persistence';
import { createLogger, ReadinessRegistry } from '@compliance/observability';
import { sealByContract } from './sealing';
import type { BaseServiceConfig } from './config';
import { stopTracing } from './tracing/trace-state';

/** How long start-up waits for the consumers to join their groups before serving anyway. */
const CONSUMER_JOIN_WAIT_MS = 20_000;

export interface ServiceDefinition {
  /** The service name: Kafka client id, outbox relay name, log name. */
  service: string;
  /** The Postgres schema the service owns. */
  schema: string;
  entities?: Array<new () => unknown>;
  migrations: Array<new () => unknown>;
  /** Narrows the runtime role beyond plain DML on the schema's tables (statements, given the role). */
  restrictRuntimeRole?: (role: string) => string[];
}

/**
 * A service's connections to the outside: its DataSource, Kafka producer, outbox relay and
 * consumers (built by the event transport from the `@EventPattern` handlers), started in dependency
 * order and stopped in reverse (DESIGN §7 graceful shutdown). Beside the relay, which deletes sent
 * outbox rows, the inbox pruner deletes inbox rows older than INBOX_RETENTION_DAYS.
 */
@Injectable()
export class ServiceRuntime implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly namespace: TopicNamespace;
  readonly producer: EventProducer;
  readonly relay: OutboxRelay;
  /** The keyring (crypto-shredding); absent when KEYRING_MASTER_KEY is unset. */
  readonly keyring?: LocalKeyring;
  /** Absent when INBOX_RETENTION_DAYS is 0 (inbox rows kept forever). */
  readonly inboxPruner?: InboxPruner;
  readonly log: Logger;
  private readonly consumers: ConsumerRunner[] = [];
  private readonly commitListeners: Array<() => void> = [];
  private stopping = false;
  private consumerRetry?: NodeJS.Timeout;

  constructor(
    readonly definition: ServiceDefinition,
    readonly config: BaseServiceConfig,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.log = createLogger(definition.service, config.LOG_LEVEL);
    this.dataSource = createServiceDataSource({
      // Least privilege: the runtime works as its schema's runtime role (provisioned at start, below):
      // through a login of its own when one is given, else by SET ROLE on the DATABASE_URL user's connections.
      url: config.DATABASE_RUNTIME_URL ?? config.DATABASE_URL,
      ...(config.DATABASE_RUNTIME_URL ? {} : { role: runtimeRoleOf(definition.schema) }),
      schema: definition.schema,
      entities: definition.entities,
      migrations: withMessagingMigrations(definition.migrations),
    });
    if (config.KEYRING_MASTER_KEY) {
      const keyring = new LocalKeyring(this.dataSource, config.KEYRING_MASTER_KEY, config.KEYRING_CACHE_MS);
      this.keyring = keyring;
      // Crypto-shredding: whatever the service publishes through its outbox leaves with its personal data sealed.
      registerOutboxSealer(this.dataSource, (events) => sealByContract(keyring, events));
    }
    this.namespace = new TopicNamespace(config.KAFKA_TOPIC_PREFIX);
    this.kafka = createKafka({
      brokers: parseBrokers(config.KAFKA_BROKERS),
      clientId: definition.service,
      namespace: config.KAFKA_TOPIC_PREFIX,
      sasl: saslFromEnv(config),
      ssl: config.KAFKA_SSL === 'true',
      log: (level, message, extra) => this.log[level]({ ...extra }, message),
    });
    this.producer = new EventProducer(this.kafka, this.namespace);
    this.relay = new OutboxRelay(this.dataSource, this.producer, {
      name: `${config.KAFKA_TOPIC_PREFIX}${definition.service}`,
      onError: (err) => this.log.warn({ err: err.message }, 'outbox relay: publish failed, will retry'),
      onPublished: (n) => messagingMetrics.published.inc({ service: definition.service }, n),
    });
    if (config.INBOX_RETENTION_DAYS > 0) {
      this.inboxPruner = new InboxPruner(this.dataSource, {
        keepMs: InboxPruner.daysToMs(config.INBOX_RETENTION_DAYS),
        onPruned: (n) => messagingMetrics.inboxPruned.inc({ service: definition.service }, n),
        onError: (err) => this.log.warn({ err: err.message }, 'inbox pruning failed, will retry'),
      });
    }
  }

  /**
   * Called after every consumer commit that added events to the outbox (besides kicking the relay):
   * for work that waits on committed rows, like a remote screening worker.
   */
  afterCommit(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  async onModuleInit(): Promise<void> {
    await ensureDatabase(this.config.DATABASE_URL);
    await this.migrate();
    await this.dataSource.initialize();
    this.readiness.add('database', async () => {
      await this.dataSource.query('SELECT 1');
      return { up: true };
    });
    this.readiness.add('kafka', () => this.kafkaReady());
    this.relay.start();
    this.inboxPruner?.start();
    // During a KEYRING_MASTER_KEY rotation (more than one key listed), data keys still wrapped under an
    // older master key are wrapped again under the first, in the background (idempotent; concurrent
    // services do not clash). With one key the table is not scanned at every start.
    if (this.keyring?.rotating)
      void this.keyring
        .rewrap()
      .then((n) => n > 0 && this.log.info({ rewrapped: n }, 'keyring: data keys wrapped under the current master key'))
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'keyring: re-wrapping after a rotation failed; will retry at the next start'));
  }

  /**
   * Starts the consumers (the event transport builds them from the `@EventPattern` handlers) and waits
   * for them to join their groups (a few seconds) before the HTTP side comes up, but not longer than
   * CONSUMER_JOIN_WAIT_MS: a slow group coordinator must not keep the service (the gateway's ingest
   * above all) from serving. They go on joining in the background.
   */
  async startConsumers(consumers: Array<Omit<ConsumerOptions, 'dataSource'>>): Promise<void> {
    const joining = Promise.all(
      consumers.map((opts) =>
        this.startConsumer({
          dataSource: this.dataSource,
          onCommitted: ({ wroteOutbox }) => {
            if (!wroteOutbox) return;
            this.relay.kick();
            for (const listener of this.commitListeners) listener();
          },
          log: (level, message, extra) => this.log[level](extra ?? {}, message),
          ...opts,
          ...(this.config.KAFKA_FETCH_WAIT_MS !== undefined ? { fetch: { maxWaitMs: this.config.KAFKA_FETCH_WAIT_MS } } : {}),
        }),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const joined = await Promise.race([joining.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), CONSUMER_JOIN_WAIT_MS)))]);
    clearTimeout(timer);
    if (!joined) this.log.warn({ waitedMs: CONSUMER_JOIN_WAIT_MS }, 'consumers are still joining their groups; serving meanwhile');
  }

  /**
   * Migrations run as `<schema>_owner`, the role that owns the service's schema and nothing else;
   * the runtime role is then provisioned with the grants the service needs. Where the connection may
   * not create roles, the deployment provisions its roles itself: the migrations run as the
   * connection's user, and without `<schema>_runtime` the runtime keeps that user too.
   */
  private async migrate(): Promise<void> {
    const { schema } = this.definition;
    const migrations = withMessagingMigrations(this.definition.migrations);
    const migrator = createServiceDataSource({ url: this.config.DATABASE_URL, schema, migrations, poolSize: 2 });
    await migrator.initialize();
    try {
      const owner = await ensureSchemaOwner(migrator, schema);
      const asOwner = owner ? createServiceDataSource({ url: this.config.DATABASE_URL, schema, migrations, poolSize: 2, role: owner }) : migrator;
      if (asOwner !== migrator) await asOwner.initialize();
      let applied: string[];
      try {
        applied = await runMigrationsLocked(asOwner, schema);
      } finally {
        if (asOwner !== migrator) await asOwner.destroy();
      }
      if (applied.length) this.log.info({ applied, owner }, 'migrations applied');
      const role = await ensureRuntimeRole(migrator, schema, this.definition.restrictRuntimeRole);
      // The shared keyring schema, and the runtime role's grants on it (serialised across services).
      if (this.keyring) await ensureKeyringSchema(migrator, role);
      const exists = role ?? (await migrator.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [runtimeRoleOf(schema)])).length > 0;
      const login = this.config.DATABASE_RUNTIME_URL ? decodeURIComponent(new URL(this.config.DATABASE_RUNTIME_URL).username) : undefined;
      if (login && role) {
        // The runtime login gets the role's grants (and nothing else from here).
        await migrator.query(`GRANT "${role}" TO "${login.replace(/"/g, '""')}"`);
      } else if (!exists && !login) {
        this.log.warn({ role: runtimeRoleOf(schema) }, 'runtime role not provisioned and not creatable: working as the connection user');
        (this.dataSource.options.extra as { options: string }).options = connectionOptions(schema);
      }
    } finally {
      await migrator.destroy();
    }
  }

  /** Stops fetching; the fetch in flight finishes and commits. Safe to call more than once. */
  async stopConsumers(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.consumerRetry);
    await Promise.allSettled(this.consumers.splice(0).map((c) => c.stop()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stopConsumers();
    await this.inboxPruner?.stop();
    await this.relay.stop();
    await this.producer.disconnect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    // The last spans (of the fetch that just committed, of the final requests) leave before exit.
    await stopTracing();
  }

  /**
   * Starts a consumer; when Kafka cannot be reached the service still starts (the gateway must take
   * webhooks into its spool during an outage) and the consumer is retried in the background.
   */
  private async startConsumer(opts: ConsumerOptions): Promise<void> {
    const runner = new ConsumerRunner(this.kafka, this.namespace, this.producer, opts);
    this.consumers.push(runner);
    try {
      await runner.start();
      this.log.info({ group: opts.group, topics: opts.topics }, 'consumer started');
    } catch (err) {
      this.consumers.splice(this.consumers.indexOf(runner), 1);
      await runner.stop();
      this.log.warn({ group: opts.group, err: (err as Error).message }, 'consumer could not start; retrying in 5 s');
      if (!this.stopping) this.consumerRetry = setTimeout(() => void this.startConsumer(opts), 5000);
    }
  }

  private admin?: ReturnType<Kafka['admin']>;

  private async kafkaReady() {
    this.admin ??= this.kafka.admin();
    try {
      await this.admin.connect();
      const cluster = await this.admin.describeCluster();
      return { up: true, details: { brokers: cluster.brokers.length } };
    } catch (err) {
      this.admin = undefined;
      return { up: false, details: { error: (err as Error).message } };
    }
  }
}
