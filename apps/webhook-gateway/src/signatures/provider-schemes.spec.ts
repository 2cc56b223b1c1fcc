import { createHmac } from 'node:crypto';
import {
  nowSeconds,
  onfidoPayload,
  onfidoRequest,
  personaEvent,
  personaRequest,
  sumsubPayload,
  sumsubRequest,
  sumsubTime,
  veriffDecision,
  veriffRequest,
  type ProviderRequest,
  type SumsubDigestAlg,
} from '@compliance/testing';
import { WebhookRejection } from '../ingest/webhook-rejection';
import { OnfidoSignatureScheme } from './onfido-signature.scheme';
import { PersonaSignatureScheme } from './persona-signature.scheme';
import type { SignatureScheme, SignedRequest } from './signature-scheme';
import { SumsubSignatureScheme } from './sumsub-signature.scheme';
import { VeriffSignatureScheme } from './veriff-signature.scheme';

const NEW = 'the-new-secret-0123456789';
const OLD = 'the-old-secret-9876543210';
const FORGED = 'not-our-secret-5555555555';
const API_KEY = '6c5a3f2e-0b1d-4e8a-9f7c-2d4b6a8c0e1f';
const DAY = 86_400;

/** What the ingest hands a scheme: the bytes, the parsed object, each header as a list of values. */
function signedRequest({ body, headers }: ProviderRequest, now = nowSeconds()): SignedRequest {
  const lists = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]]));
  return { rawBody: body, payload: JSON.parse(body.toString('utf8')), headers: lists, nowSeconds: now };
}

/** The reason a scheme refuses a request with, or 'accepted'. */
function outcome(scheme: SignatureScheme, request: SignedRequest): string {
  try {
    scheme.verify(request);
    scheme.describe(request);
    return 'accepted';
  } catch (err) {
    if (err instanceof WebhookRejection) return err.reason;
    throw err;
  }
}

const withHeaders = (request: ProviderRequest, headers: Record<string, string | undefined>): ProviderRequest => {
  const merged: Record<string, string> = { ...request.headers };
  for (const [k, v] of Object.entries(headers)) if (v === undefined) delete merged[k];
  else merged[k] = v;
  return { ...request, headers: merged };
};
const tampered = (request: ProviderRequest, from: string, to: string): ProviderRequest => {
  const text = request.body.toString('utf8');
  expect(text).toContain(from);
  return { ...request, body: Buffer.from(text.replace(from, to)) };
};

describe('Sumsub: X-Payload-Digest under X-Payload-Digest-Alg, createdAtMs bounds replays', () => {
  const scheme = new SumsubSignatureScheme([NEW, OLD], DAY);

  it.each<SumsubDigestAlg>(['HMAC_SHA1_HEX', 'HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'])('accepts a body signed with %s, with either secret of a rotation', (alg) => {
    expect(outcome(scheme, signedRequest(sumsubRequest(sumsubPayload(), NEW, alg)))).toBe('accepted');
    expect(outcome(scheme, signedRequest(sumsubRequest(sumsubPayload(), OLD, alg)))).toBe('accepted');
    expect(outcome(scheme, signedRequest(sumsubRequest(sumsubPayload(), FORGED, alg)))).toBe('SIGNATURE_MISMATCH');
  });

  it('refuses a digest presented under another algorithm than it was made with, and unknown algorithms', () => {
    const sha256 = sumsubRequest(sumsubPayload(), NEW, 'HMAC_SHA256_HEX');
    expect(outcome(scheme, signedRequest(withHeaders(sha256, { 'x-payload-digest-alg': 'HMAC_SHA512_HEX' })))).toBe('SIGNATURE_MISMATCH');
    for (const alg of ['HMAC_MD5_HEX', 'hmac_sha256_hex', 'sha256', 'HMAC_SHA256_BASE64']) {
      expect(outcome(scheme, signedRequest(withHeaders(sha256, { 'x-payload-digest-alg': alg })))).toBe('SIGNATURE_MISMATCH');
    }
    // A SHA-256 digest with a character appended must not be read as the digest (hex of the exact length).
    const digest = sha256.headers['x-payload-digest'];
    expect(outcome(scheme, signedRequest(withHeaders(sha256, { 'x-payload-digest': `${digest}0` })))).toBe('SIGNATURE_MISMATCH');
    expect(outcome(scheme, signedRequest(withHeaders(sha256, { 'x-payload-digest': digest.toUpperCase() })))).toBe('SIGNATURE_MISMATCH');
  });

  it('refuses a changed body, missing headers and a repeated digest header', () => {
    const signed = sumsubRequest(sumsubPayload(), NEW);
    expect(outcome(scheme, signedRequest(tampered(signed, '"GREEN"', '"RED"')))).toBe('SIGNATURE_MISMATCH');
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'x-payload-digest': undefined })))).toBe('HEADER_MISSING');
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'x-payload-digest-alg': undefined })))).toBe('HEADER_MISSING');
    const repeated = signedRequest(signed);
    repeated.headers['x-payload-digest'] = [signed.headers['x-payload-digest'], signed.headers['x-payload-digest']];
    expect(outcome(scheme, repeated)).toBe('HEADER_DUPLICATED');
  });

  it('refuses a signed body older than the bound or from the future, and one without a readable createdAtMs', () => {
    const at = (createdAtMs: unknown) => outcome(scheme, signedRequest(sumsubRequest(sumsubPayload({ createdAtMs }), NEW)));
    expect(at(sumsubTime(new Date(Date.now() - (DAY - 60) * 1000)))).toBe('accepted');
    expect(at(sumsubTime(new Date(Date.now() - (DAY + 60) * 1000)))).toBe('EVENT_TOO_OLD');
    expect(at(sumsubTime(new Date(Date.now() + 240_000)))).toBe('accepted');
    expect(at(sumsubTime(new Date(Date.now() + 400_000)))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(at(new Date().toISOString())).toBe('accepted');
    expect(at(new Date(Date.now() - 2 * DAY * 1000).toISOString().replace('Z', '+02:00'))).toBe('EVENT_TOO_OLD');
    expect(at('yesterday')).toBe('TIMESTAMP_INVALID');
    expect(at(Date.now())).toBe('TIMESTAMP_INVALID');
    expect(at(undefined)).toBe('PAYLOAD_FIELDS_MISSING');
  });

  it('reads the applicant as the session, externalUserId as the subject, the answer (else review status) and the type', () => {
    const payload = sumsubPayload({ createdAtMs: '2024-01-01 12:00:00.123' });
    const request = signedRequest(sumsubRequest(payload, NEW), Date.parse('2024-01-01T12:05:00Z') / 1000);
    expect(outcome(scheme, request)).toBe('accepted');
    expect(scheme.describe(request)).toEqual({
      sessionId: payload.applicantId,
      subjectRef: payload.externalUserId,
      // Zone-less: UTC, not the machine's zone.
      occurredAt: '2024-01-01T12:00:00.123Z',
      status: 'GREEN',
      webhookType: 'applicantReviewed',
    });
    const pending = sumsubPayload({ type: 'applicantPending', reviewStatus: 'pending', reviewResult: undefined });
    expect(scheme.describe(signedRequest(sumsubRequest(pending, NEW)))).toMatchObject({ status: 'pending', webhookType: 'applicantPending' });
  });

  it('refuses a verified body without type or applicantId, naming them', () => {
    const request = signedRequest(sumsubRequest(sumsubPayload({ type: undefined, applicantId: '' }), NEW));
    expect(() => scheme.describe(request)).toThrow(expect.objectContaining({ reason: 'PAYLOAD_FIELDS_MISSING', detail: 'type, applicantId' }));
  });
});

describe('Onfido: X-SHA2-Signature over the body, completed_at_iso8601 bounds replays', () => {
  const scheme = new OnfidoSignatureScheme([NEW, OLD], DAY);

  it('accepts either token of a rotation and refuses any other, a changed body, a missing or repeated header', () => {
    expect(outcome(scheme, signedRequest(onfidoRequest(onfidoPayload(), NEW)))).toBe('accepted');
    expect(outcome(scheme, signedRequest(onfidoRequest(onfidoPayload(), OLD)))).toBe('accepted');
    expect(outcome(scheme, signedRequest(onfidoRequest(onfidoPayload(), FORGED)))).toBe('SIGNATURE_MISMATCH');
    const signed = onfidoRequest(onfidoPayload(), NEW);
    expect(outcome(scheme, signedRequest(tampered(signed, '"complete"', '"withdrawn"')))).toBe('SIGNATURE_MISMATCH');
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'x-sha2-signature': undefined })))).toBe('HEADER_MISSING');
    const repeated = signedRequest(signed);
    repeated.headers['x-sha2-signature'] = ['0'.repeat(64), signed.headers['x-sha2-signature']];
    expect(outcome(scheme, repeated)).toBe('HEADER_DUPLICATED');
  });

  it('refuses a completed event older than the bound, and takes events without a completion time', () => {
    const old = new Date(Date.now() - (DAY + 60) * 1000).toISOString();
    expect(outcome(scheme, signedRequest(onfidoRequest(onfidoPayload({ completed_at_iso8601: old }), NEW)))).toBe('EVENT_TOO_OLD');
    expect(outcome(scheme, signedRequest(onfidoRequest(onfidoPayload({ completed_at_iso8601: 'soon' }), NEW)))).toBe('TIMESTAMP_INVALID');
    const started = onfidoPayload({ completed_at_iso8601: undefined, status: 'in_progress' }, 'check.started');
    expect(outcome(scheme, signedRequest(onfidoRequest(started, NEW)))).toBe('accepted');
  });

  it('reads the object id as the session, the action as the type, the object status, and no subject', () => {
    const payload = onfidoPayload({ completed_at_iso8601: '2024-03-01T10:00:00Z' }, 'workflow_run.completed');
    const object = (payload.payload as { object: { id: string } }).object;
    const request = signedRequest(onfidoRequest(payload, NEW), Date.parse('2024-03-01T10:01:00Z') / 1000);
    expect(outcome(scheme, request)).toBe('accepted');
    expect(scheme.describe(request)).toEqual({ sessionId: object.id, occurredAt: '2024-03-01T10:00:00.000Z', status: 'complete', webhookType: 'workflow_run.completed' });
    const noId = signedRequest(onfidoRequest(onfidoPayload({ id: undefined }), NEW));
    expect(() => scheme.describe(noId)).toThrow(expect.objectContaining({ reason: 'PAYLOAD_FIELDS_MISSING', detail: 'payload.object.id' }));
  });
});

describe('Veriff: X-HMAC-SIGNATURE over the body and X-AUTH-CLIENT equal to the API key', () => {
  const scheme = new VeriffSignatureScheme([NEW, OLD], [API_KEY], DAY);

  it('accepts either shared secret of a rotation with the API key', () => {
    expect(outcome(scheme, signedRequest(veriffRequest(veriffDecision(), NEW, API_KEY)))).toBe('accepted');
    expect(outcome(scheme, signedRequest(veriffRequest(veriffDecision(), OLD, API_KEY)))).toBe('accepted');
  });

  it('refuses a valid signature under another X-AUTH-CLIENT, and a missing one', () => {
    const signed = veriffRequest(veriffDecision(), NEW, API_KEY);
    for (const client of [`${API_KEY}x`, API_KEY.slice(0, -1), API_KEY.toUpperCase(), 'someone-else']) {
      expect(outcome(scheme, signedRequest(withHeaders(signed, { 'x-auth-client': client })))).toBe('SIGNATURE_MISMATCH');
    }
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'x-auth-client': undefined })))).toBe('HEADER_MISSING');
  });

  it('refuses a wrong secret, a changed body and a missing signature, whatever the client header', () => {
    expect(outcome(scheme, signedRequest(veriffRequest(veriffDecision(), FORGED, API_KEY)))).toBe('SIGNATURE_MISMATCH');
    const signed = veriffRequest(veriffDecision(), NEW, API_KEY);
    expect(outcome(scheme, signedRequest(tampered(signed, '"approved"', '"declined"')))).toBe('SIGNATURE_MISMATCH');
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'x-hmac-signature': undefined })))).toBe('HEADER_MISSING');
  });

  it('refuses a decision older than the bound', () => {
    const old = new Date(Date.now() - (DAY + 60) * 1000).toISOString();
    expect(outcome(scheme, signedRequest(veriffRequest(veriffDecision({ decisionTime: old }), NEW, API_KEY)))).toBe('EVENT_TOO_OLD');
  });

  it('reads verification.id as the session, vendorData as the subject, the decision status', () => {
    const payload = veriffDecision({ status: 'resubmission_requested', decisionTime: '2024-05-01T08:00:00.000+02:00' });
    const verification = payload.verification as { id: string; vendorData: string };
    const request = signedRequest(veriffRequest(payload, NEW, API_KEY), Date.parse('2024-05-01T06:00:30Z') / 1000);
    expect(outcome(scheme, request)).toBe('accepted');
    expect(scheme.describe(request)).toEqual({
      sessionId: verification.id,
      subjectRef: verification.vendorData,
      occurredAt: '2024-05-01T06:00:00.000Z',
      status: 'resubmission_requested',
      webhookType: 'verification.decision',
    });
    const noStatus = signedRequest(veriffRequest(veriffDecision({ status: undefined }), NEW, API_KEY));
    expect(() => scheme.describe(noStatus)).toThrow(expect.objectContaining({ reason: 'PAYLOAD_FIELDS_MISSING', detail: 'verification.status' }));
  });
});

describe('Persona: Persona-Signature t=…,v1=… pairs over "t.body", 300 s window', () => {
  const scheme = new PersonaSignatureScheme([NEW, OLD]);
  const v1 = (secret: string, t: number, body: Buffer) => createHmac('sha256', secret).update(`${t}.${body.toString('utf8')}`).digest('hex');

  it('accepts either of our secrets, and a header with several pairs of which one matches', () => {
    expect(outcome(scheme, signedRequest(personaRequest(personaEvent(), NEW)))).toBe('accepted');
    expect(outcome(scheme, signedRequest(personaRequest(personaEvent(), OLD)))).toBe('accepted');
    // Persona rotating its secret: one pair per secret, ours second.
    expect(outcome(scheme, signedRequest(personaRequest(personaEvent(), [FORGED, NEW])))).toBe('accepted');
    expect(outcome(scheme, signedRequest(personaRequest(personaEvent(), [OLD, FORGED])))).toBe('accepted');
    expect(outcome(scheme, signedRequest(personaRequest(personaEvent(), [FORGED, 'another-forged-secret-00'])))).toBe('SIGNATURE_MISMATCH');
  });

  it('counts only pairs inside the window, each with its own t', () => {
    const signed = personaRequest(personaEvent(), NEW);
    const now = nowSeconds();
    const stale = `t=${now - 400},v1=${v1(NEW, now - 400, signed.body)}`;
    const fresh = `t=${now - 10},v1=${v1(NEW, now - 10, signed.body)}`;
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'persona-signature': `${stale} ${fresh}` }), now))).toBe('accepted');
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'persona-signature': stale }), now))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    // A fresh t under the signature made for another t.
    const moved = `t=${now - 10},v1=${v1(NEW, now - 400, signed.body)}`;
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'persona-signature': moved }), now))).toBe('SIGNATURE_MISMATCH');
  });

  it('refuses t outside 300 s either way, and a t that is not unix seconds', () => {
    const at = (t: number) => outcome(scheme, signedRequest(personaRequest(personaEvent(), NEW, t)));
    expect(at(nowSeconds() - 290)).toBe('accepted');
    expect(at(nowSeconds() - 310)).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(at(nowSeconds() + 310)).toBe('TIMESTAMP_OUT_OF_WINDOW');
    const signed = personaRequest(personaEvent(), NEW);
    const sig = signed.headers['persona-signature'];
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'persona-signature': sig.replace(/t=(\d+)/, 't=$1abc') })))).toBe('TIMESTAMP_INVALID');
  });

  it('refuses a changed body, a malformed or missing header', () => {
    const signed = personaRequest(personaEvent(), NEW);
    expect(outcome(scheme, signedRequest(tampered(signed, '"approved"', '"declined"')))).toBe('SIGNATURE_MISMATCH');
    for (const header of ['garbage', 'v1=abc', `t=${nowSeconds()}`, Array(9).fill(signed.headers['persona-signature']).join(' ')]) {
      expect(outcome(scheme, signedRequest(withHeaders(signed, { 'persona-signature': header })))).toBe('SIGNATURE_MISMATCH');
    }
    expect(outcome(scheme, signedRequest(withHeaders(signed, { 'persona-signature': undefined })))).toBe('HEADER_MISSING');
  });

  it('reads the event as the delivery, the inquiry as the session, its reference-id as the subject', () => {
    const payload = personaEvent({ status: 'declined' }, 'inquiry.declined');
    const event = (payload as { data: { id: string; attributes: { 'created-at': string; payload: { data: { id: string; attributes: Record<string, string> } } } } }).data;
    const inquiry = event.attributes.payload.data;
    expect(scheme.describe(signedRequest(personaRequest(payload, NEW)))).toEqual({
      deliveryId: event.id,
      sessionId: inquiry.id,
      subjectRef: inquiry.attributes['reference-id'],
      occurredAt: event.attributes['created-at'],
      status: 'declined',
      webhookType: 'inquiry.declined',
    });
    const noInquiry = { data: { ...event, attributes: { ...event.attributes, payload: { data: { type: 'inquiry' } } } } };
    expect(() => scheme.describe(signedRequest(personaRequest(noInquiry, NEW)))).toThrow(
      expect.objectContaining({ reason: 'PAYLOAD_FIELDS_MISSING', detail: 'data.attributes.payload.data.id' }),
    );
  });
});
