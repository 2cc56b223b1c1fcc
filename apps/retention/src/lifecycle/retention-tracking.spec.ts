import { RetentionTracking, type LifecycleFact } from './retention-tracking';

const at = (h: number) => new Date(Date.UTC(2026, 0, 1, h));
const approved = (sessionId: string, h: number, subjectRef?: string): LifecycleFact => ({ kind: 'verification', sessionId, subjectRef, status: 'approved', at: at(h) });

describe('RetentionTracking', () => {
  it('asks only for what it has not read yet: sessions, units and the subjects of screenings', () => {
    const t = new RetentionTracking();
    const facts: LifecycleFact[] = [approved('s1', 1), { kind: 'screening', subjectRef: 'x', sessionId: 's2', at: at(2) }];
    const scope = t.missing(facts);
    expect(scope).toEqual({ sessions: ['s1', 's2'], units: ['s1', 's2', 'subject:x'], subjects: ['x'] });
    t.load(scope, [], []);
    expect(t.missing([...facts, approved('s3', 1)])).toEqual({ sessions: ['s3'], units: ['s3'], subjects: [] });
  });

  it('gives back only the rows that changed, once: a late event that changes nothing writes nothing', () => {
    const t = new RetentionTracking();
    t.load(t.missing([approved('s1', 2)]), [], []);
    t.apply(approved('s1', 2, 'x'));
    const first = t.takeChanges();
    expect(first.sessions).toEqual([{ sessionId: 's1', subjectRef: 'x', status: 'approved', statusAt: at(2), decidedAt: at(2) }]);
    expect(first.clocks.map((c) => c.category)).toEqual(['audit_detail', 'raw_webhooks', 'verification_data']);
    t.apply({ kind: 'verification', sessionId: 's1', subjectRef: 'x', status: 'in_review', at: at(1) });
    expect(t.takeChanges()).toEqual({ sessions: [], clocks: [] });
  });

  it('refuses what the database would refuse, even when a later event would overwrite it before the write', () => {
    const t = new RetentionTracking();
    expect(() => t.apply({ kind: 'screening', subjectRef: 'x', at: new Date('not a time') })).toThrow(/time Postgres cannot store/);
    expect(() => t.apply({ kind: 'screening', subjectRef: 'x', at: new Date(Date.UTC(-5000, 0, 1)) })).toThrow(/time Postgres cannot store/);
    expect(() => t.apply(approved('s1', 1, 'bad\u0000ref'))).toThrow(/NUL character/);
    expect(() => t.apply(approved('s1', 1, 'x'))).not.toThrow();
  });
});
