import { ConfigError, loadConfig } from '@compliance/platform';
import { createServiceDataSource } from '@compliance/persistence';
import { createKafka, parseBrokers, TopicNamespace } from '@compliance/messaging';
import type { AuditCheckpointData } from '@compliance/contracts';
import { AuditVerifyConfig, checkpointCoverage } from '../audit-log.config';
import { TrustedKeys } from '../checkpoints/checkpoint-signer';
import { verifyChain, type VerifyReport } from './chain-verifier';
import { readPublishedCheckpoints } from './published-checkpoints';

export const AUDIT_SCHEMA = 'audit_log';

export function describeReport(r: VerifyReport): string {
  const anchors = r.anchors.checked ? `, ${r.anchors.total} published checkpoints checked` : ', published checkpoints not checked';
  const cps = `${r.checkpoints.verified}/${r.checkpoints.total} checkpoints verified (keys: ${r.checkpoints.keys})${anchors}`;
  if (r.ok) return `OK: ${r.entries} entries (${r.redacted} redacted), ${cps}, head ${r.head.sequence} ${r.head.hash}`;
  return `BROKEN at sequence ${r.broken?.sequence}: ${r.broken?.reason} (${r.entries} entries intact before it; ${cps})`;
}

/**
 * `npm run audit:verify [-- --json] [-- --offline]`: recomputes the chain in DATABASE_URL's audit_log
 * schema and holds it to its signed checkpoints (keys from AUDIT_PUBLIC_KEY / AUDIT_SIGNING_KEY only)
 * and, with KAFKA_BROKERS, to the checkpoints published on audit.checkpoints.v1. `--offline` is for a
 * copy of the database: no topic, and no age limit on the entries after the last checkpoint.
 * Returns the exit code: 0 intact, 1 broken or not verifiable.
 */
export async function runVerifyCommand(
  args: string[] = [],
  env?: NodeJS.ProcessEnv,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  let config: AuditVerifyConfig;
  try {
    config = loadConfig(AuditVerifyConfig, 'audit:verify', env);
  } catch (err) {
    out(err instanceof ConfigError ? err.message : String(err));
    return 1;
  }
  const keys = TrustedKeys.fromPem(config.AUDIT_SIGNING_KEY, config.AUDIT_PUBLIC_KEY);
  const offline = args.includes('--offline');
  const ds = createServiceDataSource({ url: config.DATABASE_URL, schema: AUDIT_SCHEMA, poolSize: 2 });
  try {
    let anchors: AuditCheckpointData[] | undefined;
    let anchorNote: string | undefined;
    if (!offline && config.KAFKA_BROKERS) {
      const kafka = createKafka({ clientId: 'audit-verify', brokers: parseBrokers(config.KAFKA_BROKERS) });
      anchors = await readPublishedCheckpoints(kafka, new TopicNamespace(config.KAFKA_TOPIC_PREFIX)).catch((err: Error) => {
        anchorNote = `warning: the published checkpoints could not be read (${err.message}); verified against the table only`;
        return undefined;
      });
    } else if (!offline) {
      anchorNote = 'warning: no KAFKA_BROKERS given; verified against the table only (--offline for a copy of the database)';
    }
    await ds.initialize();
    const report = await verifyChain(ds, keys, { anchors, coverage: checkpointCoverage(config, offline) });
    if (args.includes('--json')) {
      out(JSON.stringify(report, null, 2));
    } else {
      if (anchorNote) out(anchorNote);
      out(describeReport(report));
    }
    return report.ok ? 0 : 1;
  } catch (err) {
    const missing = (err as { code?: string }).code === '42P01';
    out(missing ? `cannot verify: no audit trail in schema ${AUDIT_SCHEMA} of DATABASE_URL (has audit-log run its migrations?)` : `cannot verify: ${(err as Error).message}`);
    return 1;
  } finally {
    if (ds.isInitialized) await ds.destroy();
  }
}
