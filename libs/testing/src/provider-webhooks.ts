import { createHmac, randomUUID } from 'node:crypto';
import { nowSeconds } from './webhooks';

/**
 * Signed requests as Sumsub, Onfido, Veriff and Persona send them, written from their public
 * webhook documentation (independently of the gateway's schemes, so a shared mistake cannot pass).
 */
export interface ProviderRequest {
  body: Buffer;
  headers: Record<string, string>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const bodyOf = (payload: unknown): Buffer => Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
const hmacHex = (algorithm: string, secret: string, data: Buffer | string): string => createHmac(algorithm, secret).update(data).digest('hex');

/** Sumsub's `createdAtMs`: UTC `yyyy-MM-dd HH:mm:ss.SSS`. */
export const sumsubTime = (at: Date = new Date()): string => at.toISOString().replace('T', ' ').slice(0, 23);

export type SumsubDigestAlg = 'HMAC_SHA1_HEX' | 'HMAC_SHA256_HEX' | 'HMAC_SHA512_HEX';
const SUMSUB_HASH: Record<SumsubDigestAlg, string> = { HMAC_SHA1_HEX: 'sha1', HMAC_SHA256_HEX: 'sha256', HMAC_SHA512_HEX: 'sha512' };

/** An `applicantReviewed` webhook for a fresh applicant (Sumsub docs, "Webhook types"). */
export function sumsubPayload(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    applicantId: randomUUID().replace(/-/g, '').slice(0, 24),
    inspectionId: randomUUID().replace(/-/g, '').slice(0, 24),
    correlationId: `req-${randomUUID()}`,
    levelName: 'basic-kyc-level',
    externalUserId: `customer-${randomUUID()}`,
    type: 'applicantReviewed',
    sandboxMode: false,
    reviewStatus: 'completed',
    createdAtMs: sumsubTime(),
    clientId: 'compliance-suite',
    reviewResult: { reviewAnswer: 'GREEN' },
    ...fields,
  };
}

/** `X-Payload-Digest`: hex HMAC of the body under the algorithm named in `X-Payload-Digest-Alg`. */
export function sumsubRequest(payload: unknown, secret: string, alg: SumsubDigestAlg = 'HMAC_SHA256_HEX'): ProviderRequest {
  const body = bodyOf(payload);
  return { body, headers: { ...JSON_TYPE, 'x-payload-digest': hmacHex(SUMSUB_HASH[alg], secret, body), 'x-payload-digest-alg': alg } };
}

/** A `check.completed` event (Onfido API v3.6, "Webhooks"). */
export function onfidoPayload(object: Record<string, unknown> = {}, action = 'check.completed'): Record<string, unknown> {
  const id = randomUUID();
  const resource = action.split('.')[0];
  return {
    payload: {
      resource_type: resource,
      action,
      object: { id, status: 'complete', completed_at_iso8601: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), href: `https://api.eu.onfido.com/v3.6/${resource}s/${id}`, ...object },
    },
  };
}

/** `X-SHA2-Signature`: hex HMAC-SHA256 of the body with the webhook token. */
export function onfidoRequest(payload: unknown, token: string): ProviderRequest {
  const body = bodyOf(payload);
  return { body, headers: { ...JSON_TYPE, 'x-sha2-signature': hmacHex('sha256', token, body) } };
}

/** A decision webhook (Veriff docs, "Webhook decisions"), approved unless `verification` says otherwise. */
export function veriffDecision(verification: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    status: 'success',
    verification: {
      id: randomUUID(),
      code: 9001,
      person: { firstName: 'José', lastName: 'Núñez', dateOfBirth: '1980-02-29', nationality: 'ES', idNumber: '12345678Z' },
      document: { number: 'PAS123456', type: 'PASSPORT', country: 'ES', validUntil: '2031-01-01' },
      status: 'approved',
      reason: null,
      reasonCode: null,
      vendorData: `customer-${randomUUID()}`,
      decisionTime: new Date(now).toISOString(),
      acceptanceTime: new Date(now - 120_000).toISOString(),
      ...verification,
    },
    technicalData: { ip: '192.0.2.10' },
  };
}

/** `X-AUTH-CLIENT`: the API key; `X-HMAC-SIGNATURE`: hex HMAC-SHA256 of the body with the shared secret key. */
export function veriffRequest(payload: unknown, sharedSecret: string, apiKey: string): ProviderRequest {
  const body = bodyOf(payload);
  return { body, headers: { ...JSON_TYPE, 'x-auth-client': apiKey, 'x-hmac-signature': hmacHex('sha256', sharedSecret, body) } };
}

/** An `inquiry.approved` event (Persona docs, "Webhooks"), its inquiry attributes overridable. */
export function personaEvent(inquiry: Record<string, unknown> = {}, name = 'inquiry.approved'): Record<string, unknown> {
  return {
    data: {
      type: 'event',
      id: `evt_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      attributes: {
        name,
        'created-at': new Date().toISOString(),
        payload: {
          data: {
            type: 'inquiry',
            id: `inq_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
            attributes: { status: 'approved', 'reference-id': `customer-${randomUUID()}`, 'created-at': new Date().toISOString(), ...inquiry },
          },
        },
      },
    },
  };
}

/**
 * `Persona-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`; with several secrets (a rotation at
 * Persona) one space-separated pair per secret.
 */
export function personaRequest(payload: unknown, secrets: string | string[], t: number = nowSeconds()): ProviderRequest {
  const body = bodyOf(payload);
  const pairs = (Array.isArray(secrets) ? secrets : [secrets]).map((secret) => `t=${t},v1=${hmacHex('sha256', secret, Buffer.concat([Buffer.from(`${t}.`), body]))}`);
  return { body, headers: { ...JSON_TYPE, 'persona-signature': pairs.join(' ') } };
}
