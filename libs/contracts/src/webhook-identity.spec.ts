import { fingerprintOf, webhookEventId } from './webhook-identity';

describe('webhook identity', () => {
  const payload = { session_id: 's-1', status: 'Approved', event_id: 'delivery-1', timestamp: 1767225600, decision: { b: 2, a: 1 } };

  it('gives the same content the same fingerprint and id, whatever its delivery id, timestamp or key order', () => {
    const resent = { decision: { a: 1, b: 2 }, timestamp: 1767225900, event_id: 'delivery-2', status: 'Approved', session_id: 's-1' };
    expect(fingerprintOf(resent)).toBe(fingerprintOf(payload));
    expect(webhookEventId('didit', fingerprintOf(resent))).toBe(webhookEventId('didit', fingerprintOf(payload)));
  });

  it('tells different content and different sources apart', () => {
    expect(fingerprintOf({ ...payload, status: 'Declined' })).not.toBe(fingerprintOf(payload));
    expect(webhookEventId('sumsub', fingerprintOf(payload))).not.toBe(webhookEventId('didit', fingerprintOf(payload)));
  });

  it('is an RFC 9562 version 8 UUID', () => {
    expect(webhookEventId('didit', fingerprintOf(payload))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
