import type { DecisionSummary, KycStatus } from '@compliance/contracts';

/** Identity attributes from a provider decision; all personal data, stored encrypted. */
export interface IdentityAttributes {
  firstName?: string;
  lastName?: string;
  fullName?: string;
  dateOfBirth?: string;
  nationality?: string;
  documentType?: string;
  documentNumber?: string;
  issuingState?: string;
  address?: string;
}

export interface VerificationDecision {
  /** Non-personal summary: document type, issuing country, scores, risk flags, provider AML. */
  summary: DecisionSummary;
  identity?: IdentityAttributes;
}

/**
 * The canonical model of one provider webhook about a verification session: every adapter
 * (provider × payload version) produces this, and nothing downstream reads provider payloads.
 */
export interface VerificationReport {
  provider: string;
  /** Which adapter read it, e.g. `didit-v3`: kept in history for support questions. */
  payloadVersion: string;
  /** `status` reports a status (Didit `status.updated`); `data` corrects decision data only (`data.updated`). */
  kind: 'status' | 'data';
  webhookType: string;
  sessionId: string;
  subjectRef?: string;
  workflowId?: string;
  /** Always present for `status`; a `data` report may omit it. */
  status?: KycStatus;
  providerStatus?: string;
  /** The provider's event time (Didit `created_at`, else `timestamp`). */
  occurredAt: Date;
  decision?: VerificationDecision;
}

/** What an adapter makes of a webhook: a report, or a webhook that is acknowledged and counted only. */
export type AdaptedWebhook =
  | { kind: 'report'; report: VerificationReport }
  | { kind: 'ignored'; source: string; webhookType: string; reason: 'non_session' | 'no_adapter' | 'subject_erased' };

/** A verification payload that no retry can fix; `reason` says what is wrong (never its values). */
export class MalformedPayloadError extends Error {
  readonly code = 'KYC_PAYLOAD_MALFORMED';
  constructor(readonly reason: string) {
    super(`malformed verification payload: ${reason}`);
    this.name = 'MalformedPayloadError';
  }
}
