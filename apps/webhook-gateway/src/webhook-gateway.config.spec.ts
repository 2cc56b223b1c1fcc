import { configProblems, loadConfig } from '@compliance/platform';
import { WebhookGatewayConfig } from './webhook-gateway.config';

const WHSEC = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const base = { KAFKA_BROKERS: '127.0.0.1:9092', DIDIT_WEBHOOK_SECRET: 'a-didit-secret-of-some-length', STANDARD_WEBHOOK_SECRET: WHSEC };

const problems = (env: Record<string, string | undefined>): string[] => configProblems(WebhookGatewayConfig, env);

describe('WebhookGatewayConfig', () => {
  it('starts with the documented defaults: both sources, 256 KiB, 2 s budget, 20 failures a minute, rejections summed up each minute', () => {
    const c = loadConfig(WebhookGatewayConfig, 'webhook-gateway', base);
    expect([...c.sourceSchemes()]).toEqual([
      ['didit', 'didit'],
      ['standard', 'standard'],
    ]);
    expect(c).toMatchObject({ GATEWAY_PORT: 3000, WEBHOOK_MAX_BODY_BYTES: 262144, WEBHOOK_PRODUCE_BUDGET_MS: 2000, WEBHOOK_AUTH_FAILURE_LIMIT: 20, WEBHOOK_AUTH_FAILURE_WINDOW_SEC: 60 });
    expect(c.WEBHOOK_REJECTION_REPORT_INTERVAL_MS).toBe(60_000);
  });

  it('reads comma-separated secrets for rotation and maps any source name to a scheme', () => {
    const c = loadConfig(WebhookGatewayConfig, 'webhook-gateway', {
      ...base,
      WEBHOOK_SOURCES: 'didit:didit,didit-eu:didit',
      DIDIT_WEBHOOK_SECRET: 'the-new-didit-secret-1,the-old-didit-secret-0',
      STANDARD_WEBHOOK_SECRET: undefined,
    });
    expect(c.diditSecrets()).toEqual(['the-new-didit-secret-1', 'the-old-didit-secret-0']);
    expect(c.sourceSchemes().get('didit-eu')).toBe('didit');
  });

  it('refuses to start without the secret of a configured scheme, naming the variable and never the value', () => {
    expect(problems({ ...base, DIDIT_WEBHOOK_SECRET: undefined })).toEqual([expect.stringContaining('DIDIT_WEBHOOK_SECRET is required')]);
    expect(problems({ ...base, STANDARD_WEBHOOK_SECRET: undefined })).toEqual([expect.stringContaining('STANDARD_WEBHOOK_SECRET is required')]);
    expect(problems({ ...base, DIDIT_WEBHOOK_SECRET: 'short' }).join()).not.toContain('short');
  });

  it('refuses malformed secrets, source maps and limits', () => {
    expect(problems({ ...base, STANDARD_WEBHOOK_SECRET: 'whsec_c2hvcnQ=' })).toEqual([expect.stringContaining('24 to 64 bytes')]);
    expect(problems({ ...base, STANDARD_WEBHOOK_SECRET: `${WHSEC},not-whsec` })).toHaveLength(1);
    expect(problems({ ...base, WEBHOOK_SOURCES: 'didit:hmac' })).toEqual([expect.stringContaining('WEBHOOK_SOURCES')]);
    expect(problems({ ...base, WEBHOOK_MAX_BODY_BYTES: '10' })).toEqual([expect.stringContaining('WEBHOOK_MAX_BODY_BYTES')]);
    expect(problems({ ...base, WEBHOOK_PRODUCE_BUDGET_MS: '6000' })).toEqual([expect.stringContaining('WEBHOOK_PRODUCE_BUDGET_MS')]);
    expect(problems({ ...base, WEBHOOK_AUTH_FAILURE_LIMIT: '0' })).toEqual([expect.stringContaining('WEBHOOK_AUTH_FAILURE_LIMIT')]);
    expect(problems({ ...base, WEBHOOK_REJECTION_REPORT_INTERVAL_MS: '10' })).toEqual([expect.stringContaining('WEBHOOK_REJECTION_REPORT_INTERVAL_MS')]);
  });

  it('needs no Standard Webhooks secret when no source uses that scheme', () => {
    expect(problems({ ...base, WEBHOOK_SOURCES: 'didit:didit', STANDARD_WEBHOOK_SECRET: undefined })).toEqual([]);
  });
});
