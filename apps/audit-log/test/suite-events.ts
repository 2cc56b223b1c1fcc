import { randomUUID } from 'node:crypto';
import { EventSources, EventTypes, kycEventType, newEvent, type DomainEvent, type KycStatus } from '@compliance/contracts';
import { diditSession } from '@compliance/testing';

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000).toISOString();

/** The events one verification produces across the suite, as each service would emit them. */
export function verificationStory(opts: { sessionId?: string; subjectRef?: string; start?: Date } = {}) {
  const sessionId = opts.sessionId ?? randomUUID();
  const subjectRef = opts.subjectRef ?? `customer-${randomUUID().slice(0, 8)}`;
  const t0 = opts.start ?? new Date(Date.now() - 60_000);
  const payload = diditSession('v3-approved', { session_id: sessionId, vendor_data: subjectRef });
  const webhook = newEvent({
    type: EventTypes.WebhookReceived,
    source: EventSources.WebhookGateway,
    subject: sessionId,
    time: at(t0, 0),
    data: { source: 'didit', scheme: 'didit', receivedAt: at(t0, 0), deliveryId: String(payload.event_id), fingerprint: 'f'.repeat(64), sessionId, payload },
  });
  const kyc = (status: KycStatus, previousStatus: KycStatus | null, seconds: number, withIdentity = false) =>
    newEvent({
      type: kycEventType(status),
      source: EventSources.KycResults,
      subject: sessionId,
      time: at(t0, seconds),
      data: {
        sessionId, subjectRef, provider: 'didit', status, previousStatus, occurredAt: at(t0, seconds), change: 'transition',
        decision: { documentType: 'Passport', issuingCountry: 'ESP', livenessScore: 96, faceMatchScore: 91.2 },
        ...(withIdentity ? { identity: { fullName: 'Ana Núñez García', dateOfBirth: '1990-04-02', nationality: 'ESP', documentNumber: 'X1234567' } } : {}),
      },
    });
  const screeningId = randomUUID();
  const base = { screeningId, subjectRef, sessionId, provider: 'builtin', trigger: 'approval' };
  const requested = newEvent({ type: EventTypes.AmlScreeningRequested, source: EventSources.AmlTrigger, subject: sessionId, time: at(t0, 1), data: { ...base, requestedAt: at(t0, 1) } });
  const completed = newEvent({
    type: EventTypes.AmlScreeningCompleted,
    source: EventSources.AmlTrigger,
    subject: sessionId,
    time: at(t0, 2),
    data: {
      ...base, outcome: 'review', score: 0.91,
      hits: [{ list: 'opensanctions', entityId: 'Q-ent-42', matchedName: 'Ana Nunez Garcia', score: 0.91, breakdown: { name: 0.93 } }],
      listVersions: [{ list: 'opensanctions', contentHash: 'abc', loadedAt: at(t0, -3600), entryCount: 50000 }],
      algorithm: { name: 'builtin', version: '1' }, completedAt: at(t0, 2),
    },
  });
  const alert = newEvent({
    type: EventTypes.ComplianceAlertRaised,
    source: EventSources.AmlTrigger,
    subject: sessionId,
    time: at(t0, 3),
    data: { alertId: randomUUID(), kind: 'aml_review', severity: 'medium', subjectRef, sessionId, screeningId, summary: 'Possible match: Ana Núñez García', raisedAt: at(t0, 3) },
  });
  return { sessionId, subjectRef, webhook, inProgress: kyc('in_progress', null, -30), approved: kyc('approved', 'in_progress', 0, true), requested, completed, alert };
}

export function rejectedWebhook(): DomainEvent {
  return newEvent({
    type: EventTypes.WebhookRejected,
    source: EventSources.WebhookGateway,
    subject: 'didit',
    data: { source: 'didit', reason: 'bad_signature', status: 401, remoteAddress: '203.0.113.9', size: 512, receivedAt: new Date().toISOString() },
  });
}

export function policyChanged(): DomainEvent {
  return newEvent({
    type: EventTypes.RetentionPolicyChanged,
    source: EventSources.Retention,
    subject: 'raw_webhooks',
    data: { category: 'raw_webhooks', retentionDays: 90, previousDays: 30, changedBy: 'admin', changedAt: new Date().toISOString() },
  });
}

export function erasureRequested(subjectRef: string, sessionIds?: string[]): DomainEvent {
  return newEvent({
    type: EventTypes.RetentionErasureRequested,
    source: EventSources.Retention,
    subject: subjectRef,
    data: { requestId: randomUUID(), subjectRef, reason: 'gdpr_art17', expectedServices: ['audit-log'], sessionIds, requestedAt: new Date().toISOString() },
  });
}

export function purgeDue(category: string, fields: Record<string, unknown> = {}): DomainEvent {
  return newEvent({
    type: EventTypes.RetentionPurgeDue,
    source: EventSources.Retention,
    subject: String(fields.subjectRef ?? fields.sessionId ?? category),
    data: { purgeId: randomUUID(), category, clockStartedBefore: new Date().toISOString(), dueAt: new Date().toISOString(), ...fields },
  });
}
