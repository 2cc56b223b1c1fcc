import type { ScreeningRef } from '../screenings/screening.repository';
import type { ScreeningHitRecord, ScreeningVerdict } from '../screenings/screening.types';

export type HitAlertKind = 'aml_match' | 'aml_review';
const TOP_HITS = 5;

/** Match when the strongest new hit clears the match threshold (or the provider said so); review otherwise. */
export function kindOf(newHits: ScreeningHitRecord[], verdict: ScreeningVerdict): HitAlertKind {
  if (verdict.thresholds) return (newHits[0]?.score ?? 0) >= verdict.thresholds.match ? 'aml_match' : 'aml_review';
  return verdict.outcome === 'match' ? 'aml_match' : 'aml_review';
}

export const severityOf = (kind: HitAlertKind): 'high' | 'medium' => (kind === 'aml_match' ? 'high' : 'medium');

export function hitSummary(kind: HitAlertKind, s: ScreeningRef, newHits: ScreeningHitRecord[]): string {
  const top = newHits[0];
  const more = newHits.length > 1 ? ` and ${newHits.length - 1} more` : '';
  const what = kind === 'aml_match' ? 'Likely watchlist match' : 'Possible watchlist hit';
  return `${what} for subject ${s.subjectRef}: "${top.matchedName}" on ${top.list} (entity ${top.entityId}, score ${top.score})${more}`;
}

/** Everything an analyst needs to decide without opening another system. */
export function hitDetails(alertId: string, s: ScreeningRef, verdict: ScreeningVerdict, newHits: ScreeningHitRecord[]): Record<string, unknown> {
  return {
    outcome: verdict.outcome,
    score: verdict.score,
    provider: s.provider,
    trigger: s.trigger,
    hits: newHits.slice(0, TOP_HITS),
    newHitCount: newHits.length,
    previouslyAlertedHitCount: verdict.hits.length - newHits.length,
    listVersions: verdict.listVersions,
    algorithm: verdict.algorithm,
    ...(verdict.thresholds ? { thresholds: verdict.thresholds } : {}),
    ...(verdict.providerReference ? { providerReference: verdict.providerReference } : {}),
    ...(verdict.providerSummary ? { providerSummary: verdict.providerSummary } : {}),
    screening: `GET /screenings/${s.id}`,
    review: { endpoint: `POST /alerts/${alertId}/review`, decisions: ['false_positive', 'confirmed'] },
  };
}

export function failureSummary(s: ScreeningRef, reason: string): string {
  return `AML screening of subject ${s.subjectRef} could not be completed and needs a human: ${reason}`;
}
