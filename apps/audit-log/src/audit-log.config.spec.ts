import { generateKeyPairSync } from 'node:crypto';
import { configProblems, loadConfig } from '@compliance/platform';
import { AuditLogConfig } from './audit-log.config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092' };
const ed25519 = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const problems = (env: Record<string, string>) => configProblems(AuditLogConfig, { ...base, ...env });

describe('AuditLogConfig', () => {
  it('accepts an Ed25519 PEM key, also with escaped newlines as env files carry it, and applies the checkpoint defaults', () => {
    const pem = ed25519();
    const config = loadConfig(AuditLogConfig, 'audit-log', { ...base, AUDIT_SIGNING_KEY: pem.replace(/\n/g, '\\n') });
    expect(config.AUDIT_SIGNING_KEY).toBe(pem.trim());
    expect(config).toMatchObject({ AUDIT_CHECKPOINT_EVERY: 1000, AUDIT_CHECKPOINT_INTERVAL_MS: 60_000, AUDIT_LOG_PORT: 3004 });
  });

  it('refuses to start without a signing key, with a non-Ed25519 key, or with nonsense checkpoint settings, naming each variable', () => {
    expect(problems({})).toEqual([expect.stringContaining('AUDIT_SIGNING_KEY')]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(problems({ AUDIT_SIGNING_KEY: rsa })).toEqual([expect.stringContaining('AUDIT_SIGNING_KEY must be an Ed25519 private key')]);
    const bad = problems({ AUDIT_SIGNING_KEY: ed25519(), AUDIT_CHECKPOINT_EVERY: '0', AUDIT_CHECKPOINT_INTERVAL_MS: 'soon', AUDIT_PUBLIC_KEY: 'not a key' });
    expect(bad.join('\n')).toMatch(/AUDIT_CHECKPOINT_EVERY[\s\S]*AUDIT_CHECKPOINT_INTERVAL_MS|AUDIT_CHECKPOINT_INTERVAL_MS[\s\S]*AUDIT_CHECKPOINT_EVERY/);
    expect(bad.join('\n')).toContain('AUDIT_PUBLIC_KEY');
  });
});
