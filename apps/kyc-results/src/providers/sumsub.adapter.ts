import type { KycStatus } from '@compliance/contracts';
import { optionalNumber, optionalObject, optionalString, type Json } from './payload-fields';
import type { ProviderAdapter } from './provider-adapter';
import { requiredString, statusIn } from './provider-fields';
import { MalformedPayloadError, type VerificationReport } from './verification-report';

/** Sumsub webhook types about an applicant's verification, with the status each reports (reviewed: see SUMSUB_REVIEW_ANSWERS). */
export const SUMSUB_STATUSES: Readonly<Record<string, KycStatus>> = {
  applicantCreated: 'not_started',
  applicantPending: 'in_review',
  applicantOnHold: 'in_review',
  // Documents removed, status back to init: the person starts over.
  applicantReset: 'not_started',
};

/**
 * `applicantReviewed` by review answer and reject type. RETRY invites the applicant to upload again:
 * the decision is reopened, which is what `resubmitted` means (not terminal, ranked after the
 * decision it reopens); FINAL is a rejection.
 */
export const SUMSUB_REVIEW_ANSWERS: Readonly<Record<string, KycStatus>> = {
  GREEN: 'approved',
  'RED/FINAL': 'declined',
  'RED/RETRY': 'resubmitted',
};

const REVIEWED = 'applicantReviewed';

/** `createdAtMs`: UTC `yyyy-MM-dd HH:mm:ss.SSS` (no zone); `createdAt`: the same to the second, `+0000` zone. */
const SUMSUB_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?$/;

function sumsubTime(payload: Json, key: string): Date | undefined {
  // Epoch milliseconds are read too (`createdAtMs` as a number).
  if (typeof payload[key] === 'number') {
    const ms = optionalNumber(payload, key, 'payload') as number;
    if (ms <= 0) throw new MalformedPayloadError(`payload.${key} is not a Sumsub time`);
    return new Date(ms);
  }
  const value = optionalString(payload, key, 'payload');
  if (value === undefined) return undefined;
  const m = SUMSUB_TIME.exec(value);
  const zone = !m?.[3] || m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${zone}`) : Number.NaN;
  if (Number.isNaN(ms)) throw new MalformedPayloadError(`payload.${key} is not a Sumsub time`);
  return new Date(ms);
}

function reviewOf(payload: Json): { status: KycStatus; providerStatus: string } {
  const result = optionalObject(payload, 'reviewResult', 'payload');
  if (!result) throw new MalformedPayloadError('payload.reviewResult is missing');
  const answer = requiredString(result, 'reviewAnswer', 'payload.reviewResult');
  const key = answer === 'RED' ? `RED/${requiredString(result, 'reviewRejectType', 'payload.reviewResult')}` : answer;
  return { status: statusIn(SUMSUB_REVIEW_ANSWERS, key, 'payload.reviewResult'), providerStatus: key };
}

/**
 * Sumsub applicant webhooks (one payload version): the applicant is the session. The reviewed
 * payload carries the outcome but no personal data (reading the applicant from Sumsub's API is out of
 * scope), so Sumsub reports never carry an identity.
 */
export class SumsubAdapter implements ProviderAdapter {
  readonly source = 'sumsub';
  readonly version = 'sumsub-v1';

  accepts(): boolean {
    return true;
  }

  /** Applicant actions, tags, activation, deletion, level changes...; and company applicants (KYB). */
  nonSessionType(payload: Json): string | undefined {
    const type = payload.type;
    if (typeof type !== 'string') return undefined;
    if (type !== REVIEWED && !Object.prototype.hasOwnProperty.call(SUMSUB_STATUSES, type)) return type;
    return payload.applicantType === 'company' ? `${type}(company)` : undefined;
  }

  read(payload: Json): VerificationReport {
    const webhookType = requiredString(payload, 'type', 'payload');
    const reviewed = webhookType === REVIEWED;
    const { status, providerStatus } = reviewed
      ? reviewOf(payload)
      : { status: statusIn(SUMSUB_STATUSES, webhookType, 'payload.type'), providerStatus: optionalString(payload, 'reviewStatus', 'payload') ?? webhookType };
    const occurredAt = sumsubTime(payload, 'createdAtMs') ?? sumsubTime(payload, 'createdAt');
    if (!occurredAt) throw new MalformedPayloadError('payload has no event time (createdAtMs or createdAt)');
    return {
      provider: 'sumsub',
      payloadVersion: this.version,
      kind: 'status',
      webhookType,
      sessionId: requiredString(payload, 'applicantId', 'payload'),
      subjectRef: optionalString(payload, 'externalUserId', 'payload'),
      workflowId: optionalString(payload, 'levelName', 'payload'),
      status,
      providerStatus,
      occurredAt,
      decision: reviewed ? { summary: {} } : undefined,
    };
  }
}
