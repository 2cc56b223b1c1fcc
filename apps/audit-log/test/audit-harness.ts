import { generateKeyPairSync } from 'node:crypto';
import { DataSource } from 'typeorm';
import { encodeEvent, type DomainEvent } from '@compliance/contracts';
import { EventProducer, TopicNamespace } from '@compliance/messaging';
import { loadConfig, type ServiceApp } from '@compliance/platform';
import { waitFor } from '@compliance/testing';
import { AppModule, SERVICE_NAME } from '../src/app.module';
import { AuditLogConfig } from '../src/audit-log.config';
import { ChainAppender } from '../src/chain/chain-appender';
import { baseTestEnv, startTestApp, TEST_API_KEYS } from '@compliance/platform/testing';
import { createTestTopics, testKafka, testNamespace } from '@compliance/messaging/testing';
import { sql, testDatabaseUrl } from '@compliance/persistence/testing';

export function newSigningKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** One isolated audit-log world per test file: its topics, its database, its signing key. */
export class AuditWorld {
  readonly key = newSigningKey();
  namespace = '';
  dbUrl = '';
  producer!: EventProducer;
  private readonly apps: ServiceApp[] = [];

  constructor(private readonly label: string) {}

  async setUp(): Promise<this> {
    this.namespace = testNamespace(this.label);
    this.dbUrl = await testDatabaseUrl(this.label);
    await createTestTopics(this.namespace);
    this.producer = new EventProducer(testKafka(`${this.label}-producer`), new TopicNamespace(this.namespace));
    return this;
  }

  config(env: Record<string, string> = {}): AuditLogConfig {
    return loadConfig(AuditLogConfig, SERVICE_NAME, {
      ...baseTestEnv(this.namespace, this.dbUrl),
      AUDIT_SIGNING_KEY: this.key.privatePem,
      ...env,
    });
  }

  /** Starts an audit-log instance exactly as main.ts does (several may share the namespace and database). */
  async start(env: Record<string, string> = {}): Promise<ServiceApp> {
    const app = await startTestApp(AppModule.register(this.config(env)), SERVICE_NAME);
    this.apps.push(app);
    return app;
  }

  /** Stops the instances and drops the file's database (the export fixture alone is ~100 MB). */
  async tearDown(): Promise<void> {
    for (const app of this.apps.splice(0)) await app.close();
    await this.producer?.disconnect();
    if (!this.dbUrl) return;
    const admin = new URL(this.dbUrl);
    const name = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    await sql(admin.toString(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }

  async send(topic: string, events: DomainEvent[], key = (e: DomainEvent) => e.subject ?? e.id): Promise<void> {
    await this.producer.send(topic, events.map((e) => encodeEvent(e, key(e))));
  }

  query<T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> {
    return sql<T>(this.dbUrl, text, params);
  }

  async entryCount(): Promise<number> {
    const [row] = await this.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log.audit_entry');
    return row.n;
  }

  async waitForEvent(eventId: string, what = `entry for ${eventId}`): Promise<Record<string, any>> {
    return waitFor(async () => (await this.query('SELECT * FROM audit_log.audit_entry WHERE event_id = $1', [eventId]))[0], { what });
  }

  /** Runs SQL the way someone bypassing the append-only triggers would (table owner / superuser). */
  async tamper(statement: string): Promise<void> {
    await this.query(`SET session_replication_role = replica; ${statement}`);
  }
}

export async function getJson(app: ServiceApp, path: string, apiKey: string = TEST_API_KEYS.auditor): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function postJson(app: ServiceApp, path: string, body: unknown, apiKey: string = TEST_API_KEYS.analyst): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Chains entries straight through an instance's appender (no broker): fast fixtures for verify and export. */
export async function chainDirectly(app: ServiceApp, entries: Parameters<ChainAppender['append']>[1][]): Promise<void> {
  const appender = app.app.get(ChainAppender);
  const ds = app.app.get(DataSource);
  await ds.transaction(async (m) => {
    for (const e of entries) appender.append(m, e);
  });
}
