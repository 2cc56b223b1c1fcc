/**
 * `npm run audit:verify [-- --json] [-- --offline]`: verifies the audit chain in DATABASE_URL (schema audit_log),
 * its signed checkpoints and, with KAFKA_BROKERS, those published on audit.checkpoints.v1; prints OK
 * with counts or the first broken sequence; exit 0 or 1.
 * Keys: AUDIT_PUBLIC_KEY (PEM) and/or AUDIT_SIGNING_KEY. With neither set, the public key of the local
 * development stack (`.cache/dev-secrets.json`, written by `npm start`) is trusted, when that file exists.
 */
import 'reflect-metadata';
import { runVerifyCommand } from '../../apps/audit-log/src/verification/verify.command';
import { readDevSecrets } from '../stack/dev-secrets';

if (!process.env.AUDIT_PUBLIC_KEY?.trim() && !process.env.AUDIT_SIGNING_KEY?.trim()) {
  const AUDIT_PUBLIC_KEY = readDevSecrets()?.AUDIT_PUBLIC_KEY;
  if (AUDIT_PUBLIC_KEY) {
    process.env.AUDIT_PUBLIC_KEY = AUDIT_PUBLIC_KEY;
    process.stderr.write('audit:verify: trusting the development stack\'s public key (.cache/dev-secrets.json); set AUDIT_PUBLIC_KEY to choose\n');
  }
}

void runVerifyCommand(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
