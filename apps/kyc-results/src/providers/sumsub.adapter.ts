import type { DecisionSummary, KycStatus } from '@compliance/contracts';
import { dropUndefined } from './didit-decision';
import { optionalNumber, optionalObject, optionalObjectArray, optionalString, type Json } from './payload-fields';
import type { ProviderAdapter, ProviderLookup } from './provider-adapter';
import { identityOrNone, joined, optionalDate, requiredString, statusIn } from './provider-fields';
import { MalformedPayloadError, type IdentityAttributes, type VerificationDecision, type VerificationReport } from './verification-report';

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
const API = 'api.applicant';

/**
 * Sumsub `idDocType`s that identify a person, in the order one is preferred when the applicant has
 * several (proof-of-address documents, selfies and the like are not identity documents).
 */
export const SUMSUB_IDENTITY_DOCUMENTS = ['PASSPORT', 'ID_CARD', 'DRIVERS', 'RESIDENCE_PERMIT'];

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

/** The name parts of one source (info, an identity document, fixedInfo), when it has a first or last name. */
function nameOf(source: Json | undefined, path: string): { firstName?: string; middleName?: string; lastName?: string } | undefined {
  if (!source) return undefined;
  const name = { firstName: optionalString(source, 'firstName', path), middleName: optionalString(source, 'middleName', path), lastName: optionalString(source, 'lastName', path) };
  return name.firstName || name.lastName ? name : undefined;
}

/** The applicant's identity document: the first of the preferred types (SUMSUB_IDENTITY_DOCUMENTS) in `info.idDocs`. */
function identityDocumentOf(info: Json | undefined): { doc: Json; path: string } | undefined {
  const docs = (info && optionalObjectArray(info, 'idDocs', `${API}.info`)) ?? [];
  const typed = docs.map((doc, i) => ({ doc, path: `${API}.info.idDocs[${i}]`, type: optionalString(doc, 'idDocType', `${API}.info.idDocs[${i}]`) }));
  for (const type of SUMSUB_IDENTITY_DOCUMENTS) {
    const found = typed.find((d) => d.type === type);
    if (found) return found;
  }
  return undefined;
}

/**
 * The person from `GET /resources/applicants/{id}/one`. `info` is what Sumsub recognised from the
 * documents, the data its review checked; `fixedInfo` is what the applicant or we declared, which
 * Sumsub only compares against the documents (not corrected data). So `info` wins, field
 * by field; the identity document fills the name and birth date `info` lacks, and `fixedInfo` only
 * what neither has. A name is taken whole from one source (never a first name from one and a last
 * name from another). Addresses, contacts and IP country are not kept.
 */
function identityOf(applicant: Json): IdentityAttributes | undefined {
  const info = optionalObject(applicant, 'info', API);
  const fixed = optionalObject(applicant, 'fixedInfo', API);
  const document = identityDocumentOf(info);
  const name = nameOf(info, `${API}.info`) ?? (document && nameOf(document.doc, document.path)) ?? nameOf(fixed, `${API}.fixedInfo`);
  const first = <T>(read: (source: Json, path: string) => T | undefined): T | undefined =>
    (info && read(info, `${API}.info`)) ?? (document && read(document.doc, document.path)) ?? (fixed && read(fixed, `${API}.fixedInfo`));
  return identityOrNone({
    firstName: name?.firstName,
    lastName: name?.lastName,
    fullName: name && joined([name.firstName, name.middleName, name.lastName]),
    dateOfBirth: first((source, path) => optionalDate(source, 'dob', path)),
    nationality: (info && optionalString(info, 'nationality', `${API}.info`)) ?? (fixed && optionalString(fixed, 'nationality', `${API}.fixedInfo`)),
    documentType: document && optionalString(document.doc, 'idDocType', document.path),
    documentNumber: document && optionalString(document.doc, 'number', document.path),
    issuingState: document && (optionalString(document.doc, 'country', document.path) ?? (info && optionalString(info, 'country', `${API}.info`))),
  });
}

function decisionOf(applicant: Json | undefined): VerificationDecision {
  if (!applicant) return { summary: {} };
  const identity = identityOf(applicant);
  const summary: DecisionSummary = dropUndefined({ documentType: identity?.documentType, issuingCountry: identity?.issuingState });
  return identity ? { summary, identity } : { summary };
}

/**
 * Sumsub applicant webhooks (one payload version): the applicant is the session. Webhooks carry the
 * outcome but no personal data: for `applicantReviewed` the applicant is read from Sumsub's API
 * before reading (lookupOf, SumsubClient) and passed in as `fetched` = `{applicant}`, whose identity
 * the report carries. Without the API (no credentials) the report has status only, no identity.
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

  /**
   * The applicant, for every review (GREEN and RED alike, as other providers' declined decisions carry
   * the person) and for reviews only: the other webhooks carry no decision and the documents behind
   * them are not checked yet, so one call per review is all the identity needs.
   */
  lookupOf(payload: Json): ProviderLookup | undefined {
    if (payload.type !== REVIEWED) return undefined;
    return { provider: 'sumsub', resource: 'applicant', id: requiredString(payload, 'applicantId', 'payload') };
  }

  read(payload: Json, fetched?: Json): VerificationReport {
    const webhookType = requiredString(payload, 'type', 'payload');
    const reviewed = webhookType === REVIEWED;
    const { status, providerStatus } = reviewed
      ? reviewOf(payload)
      : { status: statusIn(SUMSUB_STATUSES, webhookType, 'payload.type'), providerStatus: optionalString(payload, 'reviewStatus', 'payload') ?? webhookType };
    const occurredAt = sumsubTime(payload, 'createdAtMs') ?? sumsubTime(payload, 'createdAt');
    if (!occurredAt) throw new MalformedPayloadError('payload has no event time (createdAtMs or createdAt)');
    const sessionId = requiredString(payload, 'applicantId', 'payload');
    const applicant = reviewed && fetched ? optionalObject(fetched, 'applicant', 'api') : undefined;
    if (applicant && requiredString(applicant, 'id', API) !== sessionId) throw new MalformedPayloadError(`${API}.id differs from payload.applicantId`);
    return {
      provider: 'sumsub',
      payloadVersion: this.version,
      kind: 'status',
      webhookType,
      sessionId,
      subjectRef: optionalString(payload, 'externalUserId', 'payload') ?? (applicant && optionalString(applicant, 'externalUserId', API)),
      workflowId: optionalString(payload, 'levelName', 'payload'),
      status,
      providerStatus,
      occurredAt,
      decision: reviewed ? decisionOf(applicant) : undefined,
    };
  }
}
