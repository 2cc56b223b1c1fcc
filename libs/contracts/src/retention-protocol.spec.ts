import { newEvent, type DomainEvent } from './envelope';
import { EventTypes } from './event-types';
import type { ErasureRequestedData, PurgeDueData } from './events/retention.events';
import { erasureConfirmation, ownsPurge, purgeConfirmation } from './retention-protocol';
import { Topics } from './topics';

const party = { service: 'kyc-results', source: '/compliance/kyc-results' };
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('retention confirmation protocol', () => {
  it('answers an erasure on the subject key with the counts and the request id', () => {
    const command = { ...newEvent({ type: EventTypes.RetentionErasureRequested, source: '/compliance/retention', data: { requestId: 'r-1', subjectRef: 'subj-1' } }), traceparent } as DomainEvent<ErasureRequestedData>;
    const { topic, key, event } = erasureConfirmation(party, command, { sessions: 2 });
    expect([topic, key, event.type, event.source]).toEqual([Topics.RetentionEvents, 'subj-1', EventTypes.RetentionErasureCompleted, party.source]);
    expect(event.data).toMatchObject({ requestId: 'r-1', service: 'kyc-results', subjectRef: 'subj-1', counts: { sessions: 2 } });
    expect(event.traceparent?.split('-')[1]).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('answers a purge on the narrowest key the command names', () => {
    const command = (data: Partial<PurgeDueData>) =>
      newEvent({ type: EventTypes.RetentionPurgeDue, source: '/compliance/retention', data: { purgeId: 'p-1', category: 'raw_webhooks', ...data } }) as DomainEvent<PurgeDueData>;
    expect(purgeConfirmation(party, command({ sessionId: 'sess-1' }), {}).key).toBe('sess-1');
    expect(purgeConfirmation(party, command({ subjectRef: 'subj-1', sessionId: 'sess-1' }), {}).key).toBe('subj-1');
    const bare = purgeConfirmation(party, command({}), { rows: 3 });
    expect(bare.key).toBe('p-1');
    expect(bare.event.data).toEqual(expect.objectContaining({ purgeId: 'p-1', category: 'raw_webhooks', counts: { rows: 3 } }));
    expect(bare.event.data).not.toHaveProperty('sessionId');
  });

  it('knows which service owns the purge of which category', () => {
    expect(ownsPurge('webhook-gateway', 'raw_webhooks')).toBe(true);
    expect(ownsPurge('aml-trigger', 'raw_webhooks')).toBe(false);
    expect(ownsPurge('webhook-gateway', 'no_such_category')).toBe(false);
  });
});
