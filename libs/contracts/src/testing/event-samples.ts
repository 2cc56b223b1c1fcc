import { EventTypes, KYC_STATUSES, kycEventType } from '../event-types';

const AT = '2026-01-01T10:00:00.000Z';
const HASH = 'ab'.repeat(32);

const screening = { screeningId: 'scr-1', subjectRef: 'customer-1001', sessionId: 'ses-1', provider: 'builtin', trigger: 'approval' };

const verification = (status: string) => ({
  sessionId: 'ses-1',
  subjectRef: 'customer-1001',
  provider: 'didit',
  status,
  previousStatus: 'in_review',
  occurredAt: AT,
  change: 'transition',
  workflowId: 'wf-1',
  decision: { documentType: 'Passport', issuingCountry: 'ESP', livenessScore: 96, faceMatchScore: 91.2, ipRiskFlags: ['vpn'], providerAml: { status: 'Approved', totalHits: 0, score: 0 } },
  identity: { fullName: 'Ana Núñez García', dateOfBirth: '1990-04-02', nationality: 'ESP', documentNumber: 'X1234567' },
  terminal: true,
  providerStatus: 'Approved',
  decidedAt: AT,
});

/** A valid `data` of every event type, each optional field filled, as a start for invalid variants. */
export const VALID_EVENT_DATA: Record<string, Record<string, unknown>> = {
  [EventTypes.WebhookReceived]: {
    source: 'didit',
    scheme: 'didit',
    receivedAt: AT,
    deliveryId: 'evt-1',
    fingerprint: HASH,
    sessionId: 'ses-1',
    subjectRef: 'customer-1001',
    payload: { session_id: 'ses-1', status: 'Approved', decision: { id_verifications: [{ node_id: 'feature_ocr' }] } },
    redacted: false,
  },
  [EventTypes.WebhookRejected]: { source: 'didit', reason: 'SIGNATURE_MISMATCH', code: 'INVALID_SIGNATURE', status: 401, remoteAddress: '10.0.0.1', size: 12, receivedAt: AT, count: 1, windowStart: AT, windowEnd: AT },
  [EventTypes.AmlScreeningRequested]: { ...screening, requestedAt: AT },
  [EventTypes.AmlScreeningCompleted]: {
    ...screening,
    outcome: 'match',
    score: 0.93,
    hits: [
      { list: 'ofac', entityId: 'e-1', matchedName: 'Ana Nunez', entityName: 'Ana Núñez', score: 0.93, breakdown: { name: 0.9, dob: 0.03 }, datasets: ['sdn'], schema: 'Person', riskScore: 80, reviewStatus: 'open' },
      { list: 'un', entityId: 'e-2', matchedName: 'A. Nunez', score: 0.81 },
    ],
    listVersions: [{ list: 'ofac', contentHash: HASH, loadedAt: AT, entryCount: 10 }],
    algorithm: { name: 'token-jw', version: '3' },
    thresholds: { review: 0.8, match: 0.9 },
    providerReference: 'req-1',
    providerSummary: { status: 'In Review', totalHits: 2 },
    completedAt: AT,
  },
  [EventTypes.AmlScreeningFailed]: { ...screening, reason: 'timeout', attempts: 3, failedAt: AT },
  [EventTypes.ComplianceAlertRaised]: {
    alertId: 'al-1',
    kind: 'aml_match',
    severity: 'high',
    subjectRef: 'customer-1001',
    sessionId: 'ses-1',
    screeningId: 'scr-1',
    erasureRequestId: 'er-1',
    summary: 'possible match',
    details: { score: 0.93 },
    raisedAt: AT,
  },
  [EventTypes.ComplianceAlertResolved]: { alertId: 'al-1', resolution: 'false_positive', reviewer: 'ana', secondReviewer: 'aud', note: 'different person', subjectRef: 'customer-1001', sessionId: 'ses-1', resolvedAt: AT },
  [EventTypes.ComplianceAlertReviewProposed]: { alertId: 'al-1', proposal: 'false_positive', proposedBy: 'ana', note: 'different person', subjectRef: 'customer-1001', sessionId: 'ses-1', proposedAt: AT },
  [EventTypes.RetentionErasureRequested]: { requestId: 'er-1', subjectRef: 'customer-1001', reason: 'gdpr', expectedServices: ['kyc-results', 'audit-log'], sessionIds: ['ses-1'], requestedAt: AT },
  [EventTypes.RetentionPurgeDue]: { purgeId: 'pu-1', category: 'verification_data', subjectRef: 'customer-1001', sessionId: 'ses-1', clockStartedBefore: AT, dueAt: AT },
  [EventTypes.RetentionErasureCompleted]: { requestId: 'er-1', service: 'kyc-results', subjectRef: 'customer-1001', counts: { sessions: 1 }, completedAt: AT },
  [EventTypes.RetentionPurgeCompleted]: { purgeId: 'pu-1', service: 'kyc-results', category: 'verification_data', subjectRef: 'customer-1001', sessionId: 'ses-1', counts: { sessions: 1 }, completedAt: AT },
  [EventTypes.RetentionErasureFinished]: {
    requestId: 'er-1',
    subjectRef: 'customer-1001',
    status: 'finished',
    legalHoldId: 'lh-1',
    services: [{ service: 'kyc-results', completedAt: AT, counts: { sessions: 1 } }],
    provider: [{ sessionId: 'ses-1', outcome: 'deleted', httpStatus: 204, attempts: 1 }],
    finishedAt: AT,
  },
  [EventTypes.RetentionPolicyChanged]: { category: 'raw_webhooks', retentionDays: 90, previousDays: 30, changedBy: 'admin', changedAt: AT },
  [EventTypes.AuditCheckpoint]: { sequence: 42, hash: HASH, signedAt: AT, algorithm: 'Ed25519', signature: 'c2lnbmF0dXJl', keyId: '0123456789abcdef', publicKey: '-----BEGIN PUBLIC KEY-----' },
  [EventTypes.AmlIdentityAccessed]: { subjectRef: 'customer-1001', sessionId: 'ses-1', screeningIds: ['9b2f0c1e-2d4a-4c8b-9f61-0a1b2c3d4e5f'], accessedBy: 'ops-key', role: 'auditor', fields: ['fullName'], accessedAt: AT },
  [EventTypes.KycIdentityAccessed]: { sessionId: 'ses-1', subjectRef: 'customer-1001', accessedBy: 'ops-key', role: 'admin', fields: ['fullName'], accessedAt: AT },
  ...Object.fromEntries(KYC_STATUSES.map((status) => [kycEventType(status), verification(status)])),
};
