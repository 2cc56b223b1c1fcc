/**
 * Audit-log benchmark: appends through the consumer's path (inbox row + chain append, one head
 * lock per transaction of APPEND_BATCH_SIZE events, three partitions in parallel) and full-chain
 * verification, on a scratch database next to DATABASE_URL's.
 * `tsx tools/bench/audit.bench.ts` prints the figures as JSON.
 */
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { EventSources, kycEventType, newEvent, type DomainEvent } from '@compliance/contracts';
import { createServiceDataSource, ensureDatabase, runMigrationsLocked } from '@compliance/persistence';
import { loadConfig } from '@compliance/platform';
import { AuditVerifyConfig } from '../../apps/audit-log/src/audit-log.config';
import { ChainAppender } from '../../apps/audit-log/src/chain/chain-appender';
import { CheckpointSigner, TrustedKeys } from '../../apps/audit-log/src/checkpoints/checkpoint-signer';
import { CheckpointService } from '../../apps/audit-log/src/checkpoints/checkpoint.service';
import { MIGRATIONS } from '../../apps/audit-log/src/migrations';
import { APPEND_BATCH_SIZE } from '../../apps/audit-log/src/recording/recording.consumer';
import { toAuditEntry } from '../../apps/audit-log/src/recording/entry-minimiser';
import { verifyChain } from '../../apps/audit-log/src/verification/chain-verifier';
import { AUDIT_SCHEMA } from '../../apps/audit-log/src/verification/verify.command';

export interface AuditBenchResult {
  appendsPerSecond: number;
  batchSize: number;
  verifyPerSecond: number;
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

/** Partitions the runtime consumes concurrently (its default `partitionsConsumedConcurrently`). */
const PARTITIONS = 3;

/** One consumer transaction: the inbox row per event, as the runtime writes it, and the chain append. */
async function consumeChunk(ds: DataSource, appender: ChainAppender, events: DomainEvent[]): Promise<void> {
  await ds.transaction(async (m) => {
    for (const event of events) {
      await m.query('INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', ['audit-log', event.id]);
      appender.append(m, toAuditEntry(event));
    }
  });
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

export async function benchAudit(opts: { entries?: number; onProgress?: (m: string) => void } = {}): Promise<AuditBenchResult> {
  const total = opts.entries ?? 20_000;
  const progress = opts.onProgress ?? (() => undefined);
  const url = new URL(loadConfig(AuditVerifyConfig, 'audit-bench').DATABASE_URL);
  url.pathname = `/audit_bench_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url.toString());
  const ds = createServiceDataSource({ url: url.toString(), schema: AUDIT_SCHEMA, migrations: MIGRATIONS, poolSize: PARTITIONS + 1 });
  try {
    await ds.initialize();
    await runMigrationsLocked(ds, AUDIT_SCHEMA);
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = new CheckpointSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const appender = new ChainAppender(new CheckpointService(signer, { every: 1000 }));
    progress(`audit: appending ${total} entries, ${PARTITIONS} partitions in parallel, transactions of ${APPEND_BATCH_SIZE}`);
    const batches = Array.from({ length: Math.ceil(total / APPEND_BATCH_SIZE) }, (_, b) =>
      Array.from({ length: Math.min(APPEND_BATCH_SIZE, total - b * APPEND_BATCH_SIZE) }, (_, k) => sampleEvent(b * APPEND_BATCH_SIZE + k)),
    );
    const appendStart = process.hrtime.bigint();
    // As the consumer runtime does: partitions in parallel, each applying its chunks one transaction at a time.
    await Promise.all(
      Array.from({ length: PARTITIONS }, async (_, p) => {
        for (let b = p; b < batches.length; b += PARTITIONS) await consumeChunk(ds, appender, batches[b]);
      }),
    );
    const appendSeconds = Number(process.hrtime.bigint() - appendStart) / 1e9;
    progress(`audit: verifying the chain`);
    const verifyStart = process.hrtime.bigint();
    const report = await verifyChain(ds, new TrustedKeys([signer.publicKey]));
    const verifySeconds = Number(process.hrtime.bigint() - verifyStart) / 1e9;
    if (!report.ok || report.entries !== total) throw new Error(`bench chain did not verify: ${JSON.stringify(report.broken)}`);
    return {
      appendsPerSecond: Math.round(total / appendSeconds),
      batchSize: APPEND_BATCH_SIZE,
      verifyPerSecond: Math.round(total / verifySeconds),
      entries: total,
    };
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await dropDatabase(url.toString()).catch(() => undefined);
  }
}

if (require.main === module) {
  benchAudit({ onProgress: (m) => process.stderr.write(`${m}\n`) })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err) => {
      process.stderr.write(`audit bench failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
}
