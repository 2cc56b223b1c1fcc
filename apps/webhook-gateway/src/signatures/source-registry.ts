import { Injectable } from '@nestjs/common';
import { WebhookGatewayConfig, type SchemeName } from '../webhook-gateway.config';
import { DiditSignatureScheme } from './didit-signature.scheme';
import { OnfidoSignatureScheme } from './onfido-signature.scheme';
import { PersonaSignatureScheme } from './persona-signature.scheme';
import type { SignatureScheme } from './signature-scheme';
import { StandardWebhooksScheme } from './standard-webhooks.scheme';
import { SumsubSignatureScheme } from './sumsub-signature.scheme';
import { VeriffSignatureScheme } from './veriff-signature.scheme';

const FACTORIES: Record<SchemeName, (config: WebhookGatewayConfig) => SignatureScheme> = {
  didit: (c) => new DiditSignatureScheme(c.diditSecrets(), c.DIDIT_MAX_EVENT_AGE_SEC),
  standard: (c) => new StandardWebhooksScheme(c.standardSecrets()),
  sumsub: (c) => new SumsubSignatureScheme(c.sumsubSecrets(), c.WEBHOOK_MAX_EVENT_AGE_SEC),
  onfido: (c) => new OnfidoSignatureScheme(c.onfidoTokens(), c.WEBHOOK_MAX_EVENT_AGE_SEC),
  veriff: (c) => new VeriffSignatureScheme(c.veriffSecrets(), c.veriffApiKeys(), c.WEBHOOK_MAX_EVENT_AGE_SEC),
  persona: (c) => new PersonaSignatureScheme(c.personaSecrets()),
};

/** The webhook sources this gateway accepts (`WEBHOOK_SOURCES`, and each provider whose secret is set), each with its signature scheme. */
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
