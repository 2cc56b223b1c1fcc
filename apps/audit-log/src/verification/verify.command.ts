import { ConfigError, loadConfig } from '@compliance/platform';
import { createServiceDataSource } from '@compliance/persistence';
import { AuditVerifyConfig } from '../audit-log.config';
import { TrustedKeys } from '../checkpoints/checkpoint-signer';
import { verifyChain, type VerifyReport } from './chain-verifier';

export const AUDIT_SCHEMA = 'audit_log';

export function describeReport(r: VerifyReport): string {
  const cps = `${r.checkpoints.verified}/${r.checkpoints.total} checkpoints verified (keys: ${r.checkpoints.keys})`;
  if (r.ok) return `OK: ${r.entries} entries (${r.redacted} redacted), ${cps}, head ${r.head.sequence} ${r.head.hash}`;
  return `BROKEN at sequence ${r.broken?.sequence}: ${r.broken?.reason} (${r.entries} entries intact before it; ${cps})`;
}

/**
 * `npm run audit:verify [-- --json]`: recomputes the chain in DATABASE_URL's audit_log schema and
 * the checkpoint signatures. Returns the exit code: 0 intact, 1 broken or not verifiable.
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
  const ds = createServiceDataSource({ url: config.DATABASE_URL, schema: AUDIT_SCHEMA, poolSize: 2 });
  try {
    await ds.initialize();
    const report = await verifyChain(ds, keys);
    if (args.includes('--json')) {
      out(JSON.stringify(report, null, 2));
    } else {
      if (report.checkpoints.keys !== 'configured') out('warning: no AUDIT_PUBLIC_KEY or AUDIT_SIGNING_KEY given; checkpoints were checked against the keys stored with them');
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
