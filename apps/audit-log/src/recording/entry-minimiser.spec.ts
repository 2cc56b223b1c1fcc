import { EventSources, EventTypes, newEvent } from '@compliance/contracts';
import { RetryHeaders } from '@compliance/messaging';
import { verificationStory } from '../../test/suite-events';
import { decodeDeadLetter } from './dead-letter.decoder';
import { minimise, toAuditEntry } from './entry-minimiser';

describe('what the trail keeps of each event', () => {
  const story = verificationStory();

  it('keeps of a webhook only its metadata: subject from vendor_data, session, webhook type and status', () => {
    expect(minimise(story.webhook)).toEqual({
      subjectRef: story.subjectRef,
      sessionId: story.sessionId,
      data: { source: 'didit', scheme: 'didit', deliveryId: expect.any(String), fingerprint: 'f'.repeat(64), receivedAt: expect.any(String), webhookType: 'status.updated', status: 'Approved' },
    });
  });

  it("keeps a reconciled webhook's origin, so the trail shows which transitions came from the provider's API", () => {
    const reconciled = { ...story.webhook, data: { ...(story.webhook.data as object), origin: 'reconciliation' } };
    expect(minimise(reconciled).data).toMatchObject({ origin: 'reconciliation', status: 'Approved' });
    expect(minimise(story.webhook).data).not.toHaveProperty('origin');
  });

  it('drops identity data from a verification but records that it was present', () => {
    const { data } = minimise(story.approved);
    expect(data).toMatchObject({ status: 'approved', previousStatus: 'in_progress', identityProvided: true, decision: { documentType: 'Passport' } });
    expect(JSON.stringify(data)).not.toMatch(/Ana|1990|X1234567/);
  });

  it('keeps outcome, score, hit entity ids and list versions of a screening, not the matched names', () => {
    const { data } = minimise(story.completed);
    expect(data).toMatchObject({ outcome: 'review', score: 0.91, hits: [{ list: 'opensanctions', entityId: 'Q-ent-42', score: 0.91 }], algorithm: { name: 'builtin' } });
    expect(JSON.stringify(data)).not.toContain('Nunez');
  });

  it('leaves out the free-text summary of an alert', () => {
    expect(minimise(story.alert).data).toEqual({ alertId: expect.any(String), kind: 'aml_review', severity: 'medium', screeningId: expect.any(String), raisedAt: expect.any(String) });
  });

  it('keeps the references of an overdue purge alert, not its summary', () => {
    const details = { purgeId: 'p-1', category: 'screening_data', waitingFor: ['aml-trigger'], emittedAt: '2026-01-01T00:00:00.000Z', resent: true };
    const alert = newEvent({
      type: EventTypes.ComplianceAlertRaised,
      source: EventSources.Retention,
      data: { alertId: 'a-1', kind: 'purge_overdue', severity: 'medium', subjectRef: 's-1', summary: 'purge p-1 of screening_data not confirmed', details, raisedAt: '2026-01-02T00:00:00.000Z' },
    });
    expect(minimise(alert)).toEqual({
      subjectRef: 's-1',
      data: { alertId: 'a-1', kind: 'purge_overdue', severity: 'medium', raisedAt: '2026-01-02T00:00:00.000Z', purgeId: 'p-1', category: 'screening_data', waitingFor: ['aml-trigger'] },
    });
  });

  it('keeps who was shown an identity unmasked, and which fields', () => {
    const read = newEvent({
      type: EventTypes.KycIdentityAccessed,
      source: EventSources.KycResults,
      data: { sessionId: story.sessionId, subjectRef: story.subjectRef, accessedBy: 'aud', role: 'auditor', fields: ['dateOfBirth', 'fullName'], accessedAt: '2026-01-02T00:00:00.000Z' },
    });
    expect(minimise(read)).toEqual({
      subjectRef: story.subjectRef,
      sessionId: story.sessionId,
      data: { accessedBy: 'aud', role: 'auditor', fields: ['dateOfBirth', 'fullName'], accessedAt: '2026-01-02T00:00:00.000Z' },
    });
  });

  it('keeps why an identity was unmasked, on both access events: who, when and the reason given', () => {
    const reason = 'case 4711: customer disputes the document match';
    const kycRead = newEvent({
      type: EventTypes.KycIdentityAccessed,
      source: EventSources.KycResults,
      data: { sessionId: story.sessionId, subjectRef: story.subjectRef, accessedBy: 'ana', role: 'analyst', fields: ['fullName'], accessedAt: '2026-01-02T00:00:00.000Z', reason },
    });
    expect(minimise(kycRead).data).toEqual({ accessedBy: 'ana', role: 'analyst', fields: ['fullName'], accessedAt: '2026-01-02T00:00:00.000Z', reason });
    const amlRead = newEvent({
      type: EventTypes.AmlIdentityAccessed,
      source: EventSources.AmlTrigger,
      data: { subjectRef: story.subjectRef, screeningIds: ['s-1'], accessedBy: 'ana', role: 'analyst', fields: ['fullName'], accessedAt: '2026-01-02T00:00:00.000Z', reason },
    });
    expect(minimise(amlRead)).toEqual({
      subjectRef: story.subjectRef,
      data: { screeningIds: ['s-1'], accessedBy: 'ana', role: 'analyst', fields: ['fullName'], accessedAt: '2026-01-02T00:00:00.000Z', reason },
    });
  });

  it('takes the event time as the occurrence time, or the recording time when the event has none usable', () => {
    expect(toAuditEntry(story.requested).occurredAt).toEqual(new Date(story.requested.time));
    const timeless = { ...newEvent({ type: EventTypes.RetentionPolicyChanged, source: EventSources.Retention, data: {} }), time: 'garbage' };
    expect(Math.abs((toAuditEntry(timeless).occurredAt as Date).getTime() - Date.now())).toBeLessThan(5000);
  });

  it('turns the same dead letter into the same entry id, and never keeps its value', () => {
    const raw = { key: 'k', value: Buffer.from('{"sessionId":"s-1","secret":"VALUE"}'), headers: { ce_type: EventTypes.WebhookReceived, [RetryHeaders.ErrorCode]: 'EVENT_INVALID', [RetryHeaders.OriginalTopic]: 'webhooks.inbound.v1' } };
    const first = decodeDeadLetter(raw, 'kyc-results.dlq');
    expect(decodeDeadLetter(raw, 'kyc-results.dlq').id).toBe(first.id);
    expect(decodeDeadLetter({ ...raw, value: Buffer.from('other') }, 'kyc-results.dlq').id).not.toBe(first.id);
    expect(first).toMatchObject({ type: 'audit.dead_letter', source: EventSources.KycResults, subject: 's-1', data: { group: 'kyc-results', errorCode: 'EVENT_INVALID', originalTopic: 'webhooks.inbound.v1' } });
    expect(JSON.stringify(minimise(first))).not.toContain('VALUE');
    expect(minimise(first).sessionId).toBe('s-1');
  });
});
