import { configProblems, loadConfig } from '@compliance/platform';
import { WebhookGatewayConfig } from './webhook-gateway.config';

const WHSEC = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const base = { KAFKA_BROKERS: '127.0.0.1:9092', DIDIT_WEBHOOK_SECRET: 'a-didit-secret-of-some-length', STANDARD_WEBHOOK_SECRET: WHSEC };

const problems = (env: Record<string, string | undefined>): string[] => configProblems(WebhookGatewayConfig, env);

describe('WebhookGatewayConfig', () => {
  it('starts with the documented defaults: both sources (no provider secret set), 256 KiB, 2 s budget, 20 failures a minute, rejections summed up each minute', () => {
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

  describe('Sumsub, Onfido, Veriff and Persona', () => {
    const providers = {
      SUMSUB_WEBHOOK_SECRET: 'sumsub-secret-key-0001,sumsub-secret-key-0000',
      ONFIDO_WEBHOOK_TOKEN: 'onfido-webhook-token-01',
      VERIFF_SHARED_SECRET: 'veriff-shared-secret-01',
      VERIFF_API_KEY: '6c5a3f2e-0b1d-4e8a-9f7c-2d4b6a8c0e1f',
      PERSONA_WEBHOOK_SECRET: 'wbhsec_persona-secret-1,wbhsec_persona-secret-0',
    };

    it('enables each provider whose secret is set, under its own name, after WEBHOOK_SOURCES', () => {
      const c = loadConfig(WebhookGatewayConfig, 'webhook-gateway', { ...base, ...providers });
      expect([...c.sourceSchemes()]).toEqual([
        ['didit', 'didit'],
        ['standard', 'standard'],
        ['sumsub', 'sumsub'],
        ['onfido', 'onfido'],
        ['veriff', 'veriff'],
        ['persona', 'persona'],
      ]);
      expect(c.sumsubSecrets()).toEqual(['sumsub-secret-key-0001', 'sumsub-secret-key-0000']);
      expect(c.onfidoTokens()).toEqual(['onfido-webhook-token-01']);
      expect(c.veriffSecrets()).toEqual(['veriff-shared-secret-01']);
      expect(c.veriffApiKeys()).toEqual(['6c5a3f2e-0b1d-4e8a-9f7c-2d4b6a8c0e1f']);
      expect(c.personaSecrets()).toEqual(['wbhsec_persona-secret-1', 'wbhsec_persona-secret-0']);
      expect(c.WEBHOOK_MAX_EVENT_AGE_SEC).toBe(86_400);
    });

    it('enables only the providers whose secret is set', () => {
      const c = loadConfig(WebhookGatewayConfig, 'webhook-gateway', { ...base, PERSONA_WEBHOOK_SECRET: providers.PERSONA_WEBHOOK_SECRET });
      expect([...c.sourceSchemes().keys()]).toEqual(['didit', 'standard', 'persona']);
    });

    it('keeps what WEBHOOK_SOURCES says about a source of a provider name, and lets other sources use the schemes', () => {
      const c = loadConfig(WebhookGatewayConfig, 'webhook-gateway', {
        ...base,
        ...providers,
        WEBHOOK_SOURCES: 'didit:didit,persona:standard,sumsub-eu:sumsub',
      });
      expect([...c.sourceSchemes()]).toEqual([
        ['didit', 'didit'],
        ['persona', 'standard'],
        ['sumsub-eu', 'sumsub'],
        ['sumsub', 'sumsub'],
        ['onfido', 'onfido'],
        ['veriff', 'veriff'],
      ]);
    });

    it('requires the secret of a provider WEBHOOK_SOURCES names, naming the variable', () => {
      for (const [scheme, variable] of [
        ['sumsub', 'SUMSUB_WEBHOOK_SECRET'],
        ['onfido', 'ONFIDO_WEBHOOK_TOKEN'],
        ['persona', 'PERSONA_WEBHOOK_SECRET'],
      ]) {
        expect(problems({ ...base, WEBHOOK_SOURCES: `${scheme}:${scheme}` })).toEqual([expect.stringContaining(`${variable} is required by`)]);
      }
      expect(problems({ ...base, WEBHOOK_SOURCES: 'kyc:veriff' })).toEqual([
        expect.stringContaining('VERIFF_SHARED_SECRET is required by'),
        expect.stringContaining('VERIFF_API_KEY is required by'),
      ]);
    });

    it('requires the Veriff shared secret and API key together', () => {
      expect(problems({ ...base, VERIFF_SHARED_SECRET: providers.VERIFF_SHARED_SECRET })).toEqual([expect.stringContaining('VERIFF_API_KEY is required')]);
      expect(problems({ ...base, VERIFF_API_KEY: providers.VERIFF_API_KEY })).toEqual([expect.stringContaining('VERIFF_SHARED_SECRET is required')]);
      expect(problems({ ...base, VERIFF_SHARED_SECRET: providers.VERIFF_SHARED_SECRET, VERIFF_API_KEY: providers.VERIFF_API_KEY })).toEqual([]);
    });

    it('refuses secrets shorter than 16 characters, in any place of a rotation list, without echoing them', () => {
      for (const variable of Object.keys(providers)) {
        const env = { ...base, ...providers, [variable]: 'long-enough-secret-001,short-one' };
        const found = problems(env);
        expect(found).toEqual([expect.stringContaining(`${variable} is required by`)]);
        expect(found.join()).not.toContain('short-one');
        expect(found.join()).toContain('at least 16 characters');
      }
    });

    it('bounds WEBHOOK_MAX_EVENT_AGE_SEC to 300..2592000', () => {
      expect(loadConfig(WebhookGatewayConfig, 'webhook-gateway', { ...base, WEBHOOK_MAX_EVENT_AGE_SEC: '3600' }).WEBHOOK_MAX_EVENT_AGE_SEC).toBe(3600);
      expect(problems({ ...base, WEBHOOK_MAX_EVENT_AGE_SEC: '299' })).toEqual([expect.stringContaining('WEBHOOK_MAX_EVENT_AGE_SEC must be between 300 and 2592000')]);
      expect(problems({ ...base, WEBHOOK_MAX_EVENT_AGE_SEC: '2592001' })).toEqual([expect.stringContaining('WEBHOOK_MAX_EVENT_AGE_SEC')]);
      expect(problems({ ...base, WEBHOOK_MAX_EVENT_AGE_SEC: '3600.5' })).toEqual([expect.stringContaining('WEBHOOK_MAX_EVENT_AGE_SEC must be an integer')]);
    });
  });
});
