/**
 * `npm run audit:verify [-- --json] [-- --offline]`: verifies the audit chain in DATABASE_URL (schema audit_log),
 * its signed checkpoints and, with KAFKA_BROKERS, those published on audit.checkpoints.v1; prints OK
 * with counts or the first broken sequence; exit 0 or 1.
 * Keys: AUDIT_PUBLIC_KEY (PEM) and/or AUDIT_SIGNING_KEY.
 */
import 'reflect-metadata';
import { runVerifyCommand } from '../../apps/audit-log/src/verification/verify.command';

void runVerifyCommand(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
