import { Injectable } from '@nestjs/common';
import { WebhookGatewayConfig, type SchemeName } from '../webhook-gateway.config';
import { DiditSignatureScheme } from './didit-signature.scheme';
import type { SignatureScheme } from './signature-scheme';
import { StandardWebhooksScheme } from './standard-webhooks.scheme';

const FACTORIES: Record<SchemeName, (config: WebhookGatewayConfig) => SignatureScheme> = {
  didit: (c) => new DiditSignatureScheme(c.diditSecrets(), c.DIDIT_MAX_EVENT_AGE_SEC),
  standard: (c) => new StandardWebhooksScheme(c.standardSecrets()),
};

/** The webhook sources this gateway accepts (`WEBHOOK_SOURCES`), each with its signature scheme. */
@Injectable()
export class SourceRegistry {
  private readonly schemes = new Map<string, SignatureScheme>();

  constructor(config: WebhookGatewayConfig) {
    const shared = new Map<SchemeName, SignatureScheme>();
    for (const [source, scheme] of config.sourceSchemes()) {
      if (!shared.has(scheme)) shared.set(scheme, FACTORIES[scheme](config));
      this.schemes.set(source, shared.get(scheme) as SignatureScheme);
    }
  }

  schemeOf(source: string): SignatureScheme | undefined {
    return this.schemes.get(source);
  }

  sources(): string[] {
    return [...this.schemes.keys()];
  }
}
