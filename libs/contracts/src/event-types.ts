/** CloudEvents `type` values of DESIGN §6. */
export const EventTypes = {
  WebhookReceived: 'webhook.received',
  WebhookRejected: 'webhook.rejected',
  AmlScreeningRequested: 'aml.screening.requested',
  AmlScreeningCompleted: 'aml.screening.completed',
  AmlScreeningFailed: 'aml.screening.failed',
  ComplianceAlertRaised: 'compliance.alert.raised',
  ComplianceAlertResolved: 'compliance.alert.resolved',
  /** A clearance of a sanctions match waiting for a second reviewer (compliance.alerts.v1). */
  ComplianceAlertReviewProposed: 'compliance.alert.review.proposed',
  RetentionErasureRequested: 'retention.erasure.requested',
  RetentionPurgeDue: 'retention.purge.due',
  RetentionErasureCompleted: 'retention.erasure.completed',
  RetentionPurgeCompleted: 'retention.purge.completed',
  RetentionErasureFinished: 'retention.erasure.finished',
  RetentionPolicyChanged: 'retention.policy.changed',
  AuditCheckpoint: 'audit.checkpoint',
  /** Someone was shown a verification's identity unmasked (kyc.verifications.v1): who, when, which fields. */
  KycIdentityAccessed: 'kyc.identity.accessed',
  /** Someone was shown the identity a screening was run with, unmasked (aml.screenings.v1). */
  AmlIdentityAccessed: 'aml.identity.accessed',
} as const;

/** The canonical verification statuses; `kyc.verification.<status>` is the event type of each. */
export const KYC_STATUSES = [
  'not_started',
  'in_progress',
  'approved',
  'declined',
  'in_review',
  'awaiting_user',
  'resubmitted',
  'expired',
  'abandoned',
  'kyc_expired',
] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export const kycEventType = (status: KycStatus): string => `kyc.verification.${status}`;
export const KYC_EVENT_PREFIX = 'kyc.verification.';

export function isKycEventType(type: string): boolean {
  return type.startsWith(KYC_EVENT_PREFIX) && (KYC_STATUSES as readonly string[]).includes(type.slice(KYC_EVENT_PREFIX.length));
}

/** Sources (`ce_source`) of the services. */
export const EventSources = {
  WebhookGateway: 'urn:compliance:webhook-gateway',
  KycResults: 'urn:compliance:kyc-results',
  AmlTrigger: 'urn:compliance:aml-trigger',
  Retention: 'urn:compliance:retention',
  AuditLog: 'urn:compliance:audit-log',
} as const;

export const DATA_CATEGORIES = ['verification_data', 'screening_data', 'raw_webhooks', 'audit_detail'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** Which service purges each data category and confirms with `retention.purge.completed`. */
export const PURGE_OWNERS: Record<DataCategory, readonly string[]> = {
  verification_data: ['kyc-results'],
  screening_data: ['aml-trigger'],
  raw_webhooks: ['webhook-gateway'],
  audit_detail: ['audit-log'],
};
