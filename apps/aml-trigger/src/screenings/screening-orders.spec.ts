import { providerSummaryKey, providerSummaryVerdict, stillToPerform } from './screening-orders';

describe('screening orders: what is left to do and the provider summary’s findings', () => {
  it('performs each idempotency key once: not when a screening holds it, and only the first of the list', () => {
    const orders = [{ n: 1, dedupeKey: 'a' }, { n: 2, dedupeKey: 'b' }, { n: 3 }, { n: 4, dedupeKey: 'a' }, { n: 5, dedupeKey: 'c' }, { n: 6 }];
    expect(stillToPerform(orders, new Map([['b', 'id-b']])).map((o) => o.n)).toEqual([1, 3, 5, 6]);
  });

  it('keys a provider summary by session and content, whatever the key order of the summary', () => {
    const a = providerSummaryKey({ subjectRef: 'x', sessionId: 's', summary: { status: 'Approved', totalHits: 0 } });
    expect(providerSummaryKey({ subjectRef: 'y', sessionId: 's', summary: { totalHits: 0, status: 'Approved' } })).toBe(a);
    expect(providerSummaryKey({ subjectRef: 'x', sessionId: 's', summary: { status: 'Approved', totalHits: 1 } })).not.toBe(a);
    expect(a.startsWith('provider:s:')).toBe(true);
  });

  it('takes the outcome from the provider’s status, clear without hits, and scales its score to 0–1', () => {
    expect(providerSummaryVerdict({ status: 'In Review', totalHits: 1, score: 82.5 })).toMatchObject({ outcome: 'review', score: 0.825, hits: [], providerSummary: { status: 'In Review' } });
    expect(providerSummaryVerdict({ status: 'Declined', totalHits: 0, score: 250 })).toMatchObject({ outcome: 'clear', score: 1 });
    expect(providerSummaryVerdict({ status: 'Declined' })).toMatchObject({ outcome: 'match', score: 0 });
  });
});
