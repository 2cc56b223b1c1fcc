import type { DecisionSummary, KycStatus } from '@compliance/contracts';
import { dropUndefined } from './didit-decision';
import { optionalObject, optionalObjectArray, optionalString, type Json } from './payload-fields';
import type { ProviderAdapter } from './provider-adapter';
import { identityOrNone, joined, optionalDate, optionalIsoTime, requiredObject, requiredString, statusIn } from './provider-fields';
import { MalformedPayloadError, type IdentityAttributes, type VerificationDecision, type VerificationReport } from './verification-report';

/** `verification.status` of a Veriff decision webhook (codes 9001, 9102, 9103, 9104, 9121); `review` waits for a person. */
export const VERIFF_STATUSES: Readonly<Record<string, KycStatus>> = {
  approved: 'approved',
  declined: 'declined',
  resubmission_requested: 'resubmitted',
  review: 'in_review',
  expired: 'expired',
  abandoned: 'abandoned',
};

const PATH = 'payload.verification';

function identityOf(person: Json | undefined, document: Json | undefined): IdentityAttributes | undefined {
  const p = (key: string) => (person ? optionalString(person, key, `${PATH}.person`) : undefined);
  const d = (key: string) => (document ? optionalString(document, key, `${PATH}.document`) : undefined);
  const addresses = person ? optionalObjectArray(person, 'addresses', `${PATH}.person`) : undefined;
  const firstName = p('firstName');
  const lastName = p('lastName');
  return identityOrNone({
    firstName,
    lastName,
    fullName: joined([firstName, lastName]),
    dateOfBirth: person ? optionalDate(person, 'dateOfBirth', `${PATH}.person`) : undefined,
    nationality: p('nationality'),
    documentType: d('type'),
    documentNumber: d('number'),
    issuingState: d('country'),
    address: addresses?.length ? optionalString(addresses[0], 'fullAddress', `${PATH}.person.addresses[0]`) : undefined,
  });
}

function decisionOf(verification: Json): VerificationDecision | undefined {
  const person = optionalObject(verification, 'person', PATH);
  const document = optionalObject(verification, 'document', PATH);
  const summary: DecisionSummary = dropUndefined({
    documentType: document && optionalString(document, 'type', `${PATH}.document`),
    issuingCountry: document && optionalString(document, 'country', `${PATH}.document`),
  });
  const identity = identityOf(person, document);
  // A resubmission or expiry sends the objects with null fields: no decision data then.
  return identity || Object.keys(summary).length ? { summary, identity } : undefined;
}

/**
 * Veriff decision webhooks (`{status, verification: {...}, technicalData}`). The session is
 * `verification.id`, the subject `verification.vendorData`; the person and document come in the payload.
 */
export class VeriffAdapter implements ProviderAdapter {
  readonly source = 'veriff';
  readonly version = 'veriff-v1';

  accepts(): boolean {
    return true;
  }

  /**
   * Event webhooks (`action` started/submitted) carry no decision and no event time to order them by;
   * watchlist-screening webhooks (`checkType`) are about monitoring, not the session.
   */
  nonSessionType(payload: Json): string | undefined {
    if (payload.verification !== undefined) return undefined;
    if (typeof payload.action === 'string') return `event.${payload.action.slice(0, 40)}`;
    if (typeof payload.checkType === 'string') return `watchlist.${payload.checkType.slice(0, 40)}`;
    return undefined;
  }

  read(payload: Json): VerificationReport {
    const verification = requiredObject(payload, 'verification', 'payload');
    const providerStatus = requiredString(verification, 'status', PATH);
    const occurredAt = optionalIsoTime(verification, 'decisionTime', PATH) ?? optionalIsoTime(verification, 'acceptanceTime', PATH);
    if (!occurredAt) throw new MalformedPayloadError(`${PATH} has no event time (decisionTime or acceptanceTime)`);
    return {
      provider: 'veriff',
      payloadVersion: this.version,
      kind: 'status',
      webhookType: 'decision',
      sessionId: requiredString(verification, 'id', PATH),
      subjectRef: optionalString(verification, 'vendorData', PATH),
      status: statusIn(VERIFF_STATUSES, providerStatus, `${PATH}.status`),
      providerStatus,
      occurredAt,
      decision: decisionOf(verification),
    };
  }
}
