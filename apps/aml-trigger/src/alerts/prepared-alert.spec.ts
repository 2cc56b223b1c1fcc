import { EventTypes, Topics } from '@compliance/contracts';
import type { ScreeningRef } from '../screenings/screening.repository';
import type { ScreeningHitRecord, ScreeningVerdict } from '../screenings/screening.types';
import { failureAlert, hitAlert, hitAlertCandidate, needsHitAlert, planHitClaims } from './prepared-alert';

const ref = (id: string, subjectRef: string, sessionId?: string): ScreeningRef => ({ id, subjectRef, sessionId, provider: 'builtin', trigger: 'approval', requestedAt: '2025-01-01T00:00:00.000Z' });
const hit = (entityId: string, score: number): ScreeningHitRecord => ({ list: 'opensanctions', entityId, matchedName: `Name ${entityId}`, score });
const verdict = (outcome: ScreeningVerdict['outcome'], hits: ScreeningHitRecord[]): ScreeningVerdict => ({
  outcome,
  score: hits[0]?.score ?? 0,
  hits,
  listVersions: [],
  algorithm: { name: 'test', version: '1' },
  thresholds: { review: 0.8, match: 0.9 },
});

describe('prepared alerts: hit claims and alert content, before anything is written', () => {
  it('needs a human only for hits of a screening that is not clear', () => {
    expect(needsHitAlert(verdict('clear', [hit('a', 0.5)]))).toBe(false);
    expect(needsHitAlert(verdict('review', []))).toBe(false);
    expect(needsHitAlert(verdict('review', [hit('a', 0.85)]))).toBe(true);
  });

  it('leaves a hit an earlier screening of the list claims for the same subject to that one, as one by one', () => {
    const first = hitAlertCandidate(ref('s1', 'subj-1'), verdict('match', [hit('a', 0.95), hit('b', 0.85)]));
    const second = hitAlertCandidate(ref('s2', 'subj-1'), verdict('match', [hit('b', 0.95), hit('c', 0.9), hit('c', 0.9)]));
    const other = hitAlertCandidate(ref('s3', 'subj-2'), verdict('review', [hit('a', 0.85)]));
    expect(planHitClaims([first, second, other])).toEqual([
      { subjectRef: 'subj-1', hitKey: 'opensanctions/a', alertId: first.alertId },
      { subjectRef: 'subj-1', hitKey: 'opensanctions/b', alertId: first.alertId },
      { subjectRef: 'subj-1', hitKey: 'opensanctions/c', alertId: second.alertId },
      { subjectRef: 'subj-2', hitKey: 'opensanctions/a', alertId: other.alertId },
    ]);
  });

  it('alerts on the claimed hits only, as a match when the strongest new one clears the match threshold', () => {
    const c = hitAlertCandidate(ref('s1', 'subj-1', 'sess-1'), verdict('match', [hit('a', 0.95), hit('b', 0.85)]));
    expect(hitAlert(c, undefined)).toBeUndefined();
    expect(hitAlert(c, new Set())).toBeUndefined();
    const onlyB = hitAlert(c, new Set(['opensanctions/b']));
    expect(onlyB?.row).toMatchObject({ id: c.alertId, kind: 'aml_review', severity: 'medium', hit_keys: ['opensanctions/b'], screening_id: 's1', session_id: 'sess-1' });
    expect(onlyB?.row.details).toMatchObject({ newHitCount: 1, previouslyAlertedHitCount: 1 });
    const both = hitAlert(c, new Set(['opensanctions/b', 'opensanctions/a']));
    expect(both?.row).toMatchObject({ kind: 'aml_match', severity: 'high', hit_keys: ['opensanctions/a', 'opensanctions/b'] });
    expect(both?.outbox).toMatchObject({ topic: Topics.ComplianceAlerts, key: 'sess-1', event: { type: EventTypes.ComplianceAlertRaised, data: { alertId: c.alertId, screeningId: 's1' } } });
  });

  it('tells a human about a failed screening, keyed by subject when there is no session', () => {
    const a = failureAlert(ref('s9', 'subj-9'), 'no name', 0);
    expect(a.row).toMatchObject({ kind: 'aml_screening_failed', severity: 'high', hit_keys: [], session_id: null, details: { reason: 'no name', attempts: 0 } });
    expect(a.outbox.key).toBe('subj-9');
    expect(a.outbox.event.data).toMatchObject({ alertId: a.row.id, raisedAt: a.row.raised_at.toISOString() });
  });
});
