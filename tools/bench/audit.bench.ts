/**
 * Audit-log benchmark: appends through the consumer's path as the runtime applies a fetch (one
 * transaction: the batched inbox insert, then the set-based recorder; one head lock and one chain
 * insert per transaction of APPEND_BATCH_SIZE events, three such transactions in flight at once, as
 * three consumer instances would run them) and full-chain verification, on a scratch database next
 * to DATABASE_URL's. `tsx tools/bench/audit.bench.ts [entries] [batchSize]` prints the figures as JSON.
 */
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ConsumerGroups, EventSources, kycEventType, newEvent, type DomainEvent } from '@compliance/contracts';
import { claimInbox } from '@compliance/messaging';
import { createServiceDataSource, ensureDatabase, runMigrationsLocked } from '@compliance/persistence';
import { loadConfig } from '@compliance/platform';
import { AuditVerifyConfig } from '../../apps/audit-log/src/audit-log.config';
import { ChainAppender } from '../../apps/audit-log/src/chain/chain-appender';
import { CheckpointSigner, TrustedKeys } from '../../apps/audit-log/src/checkpoints/checkpoint-signer';
import { CheckpointService } from '../../apps/audit-log/src/checkpoints/checkpoint.service';
import { ErasureService } from '../../apps/audit-log/src/erasure/erasure.service';
import { MIGRATIONS } from '../../apps/audit-log/src/migrations';
import { EventRecorder } from '../../apps/audit-log/src/recording/event-recorder';
import { APPEND_BATCH_SIZE } from '../../apps/audit-log/src/recording/recording.controller';
import { verifyChain } from '../../apps/audit-log/src/verification/chain-verifier';
import { AUDIT_SCHEMA } from '../../apps/audit-log/src/verification/verify.command';

export interface AuditBenchResult {
  appendsPerSec: number;
  /** Entries recomputed per second by a full verification (signatures included). */
  verifyPerSec: number;
  /** The same two figures under their earlier names. */
  appendsPerSecond: number;
  verifyPerSecond: number;
  /** Events per consumer transaction, and how many such transactions were in flight at once. */
  batchSize: number;
  concurrentTransactions: number;
  entries: number;
}

/** A verification event as kyc-results emits it (identity included: the minimiser must drop it). */
function sampleEvent(i: number) {
  const sessionId = randomUUID();
  return newEvent({
    type: kycEventType('approved'),
    source: EventSources.KycResults,
    subject: sessionId,
    data: {
      sessionId,
      subjectRef: `customer-${i}`,
      provider: 'didit',
      status: 'approved',
      previousStatus: 'in_progress',
      occurredAt: new Date().toISOString(),
      change: 'transition',
      decision: { documentType: 'Passport', issuingCountry: 'ESP', livenessScore: 96, faceMatchScore: 91.2, ipRiskFlags: [] },
      identity: { fullName: 'Ana Núñez García', dateOfBirth: '1990-04-02', nationality: 'ESP' },
    },
  });
}

/** Consumer transactions in flight at once: instances of the group, each applying one fetch at a time. */
const CONCURRENT_TRANSACTIONS = 3;

/** One consumer transaction as the runtime applies a fetch: one inbox statement for all events, then the recorder. */
async function consumeFetch(ds: DataSource, recorder: EventRecorder, events: DomainEvent[]): Promise<void> {
  await ds.transaction(async (m) => {
    const fresh = await claimInbox(m, ConsumerGroups.AuditLog, events.map((e) => e.id));
    await recorder.recordBatch(events.filter((e) => fresh.has(e.id)).map((event) => ({ event })), m);
  });
}

/** The append phase; its events are out of scope afterwards, so verification runs on a heap without them. */
async function appendAll(ds: DataSource, recorder: EventRecorder, total: number, batchSize: number): Promise<number> {
  const batches = Array.from({ length: Math.ceil(total / batchSize) }, (_, b) =>
    Array.from({ length: Math.min(batchSize, total - b * batchSize) }, (_, k) => sampleEvent(b * batchSize + k)),
  );
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENT_TRANSACTIONS }, async (_, lane) => {
      for (let b = lane; b < batches.length; b += CONCURRENT_TRANSACTIONS) await consumeFetch(ds, recorder, batches[b]);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function benchAudit(opts: { entries?: number; batchSize?: number; onProgress?: (m: string) => void } = {}): Promise<AuditBenchResult> {
  const total = opts.entries ?? 100_000;
  const batchSize = opts.batchSize ?? APPEND_BATCH_SIZE;
  const progress = opts.onProgress ?? (() => undefined);
  const url = new URL(loadConfig(AuditVerifyConfig, 'audit-bench').DATABASE_URL);
  url.pathname = `/audit_bench_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url.toString());
  const ds = createServiceDataSource({ url: url.toString(), schema: AUDIT_SCHEMA, migrations: MIGRATIONS, poolSize: CONCURRENT_TRANSACTIONS + 2 });
  try {
    await ds.initialize();
    await runMigrationsLocked(ds, AUDIT_SCHEMA);
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = new CheckpointSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const appender = new ChainAppender(new CheckpointService(signer, { every: 1000 }));
    const recorder = new EventRecorder(appender, new ErasureService(appender));
    progress(`audit: appending ${total} entries, ${CONCURRENT_TRANSACTIONS} consumer transactions at once, ${batchSize} events each`);
    const appendSeconds = await appendAll(ds, recorder, total, batchSize);
    progress(`audit: verifying the chain`);
    const verifyStart = process.hrtime.bigint();
    const report = await verifyChain(ds, new TrustedKeys([signer.publicKey]));
    const verifySeconds = Number(process.hrtime.bigint() - verifyStart) / 1e9;
    if (!report.ok || report.entries !== total) throw new Error(`bench chain did not verify: ${JSON.stringify(report.broken)}`);
    const appendsPerSec = Math.round(total / appendSeconds);
    const verifyPerSec = Math.round(total / verifySeconds);
    return {
      appendsPerSec,
      verifyPerSec,
      appendsPerSecond: appendsPerSec,
      verifyPerSecond: verifyPerSec,
      batchSize,
      concurrentTransactions: CONCURRENT_TRANSACTIONS,
      entries: total,
    };
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await dropDatabase(url.toString()).catch(() => undefined);
  }
}

if (require.main === module) {
  const [entries, batchSize] = process.argv.slice(2).map(Number);
  benchAudit({ entries: entries || undefined, batchSize: batchSize || undefined, onProgress: (m) => process.stderr.write(`${m}\n`) })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err) => {
      process.stderr.write(`audit bench failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
}
