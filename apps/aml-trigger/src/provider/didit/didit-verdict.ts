import type { ScreeningOutcome } from '@compliance/contracts';
import { hitKeyOf, type ScreeningHitRecord, type ScreeningVerdict } from '../../screenings/screening.types';
import type { DiditAmlHit, DiditAmlResponse } from './didit-aml.types';

export const DIDIT_ALGORITHM = { name: 'didit-aml', version: 'v3' } as const;
export const DIDIT_LIST = 'didit';

/** Didit's status is its decision under the thresholds configured in its console; unknown ones need a human. */
export function outcomeOfDiditStatus(status: string | undefined): ScreeningOutcome {
  switch ((status ?? '').toLowerCase()) {
    case 'approved':
      return 'clear';
    case 'declined':
    case 'rejected':
      return 'match';
    default:
      return 'review';
  }
}

function toHit(hit: DiditAmlHit, index: number): ScreeningHitRecord {
  const match = typeof hit.match_score === 'number' ? Math.min(1, Math.max(0, hit.match_score / 100)) : 0;
  return {
    list: DIDIT_LIST,
    entityId: hit.id ?? `hit-${index + 1}`,
    matchedName: hit.caption ?? '',
    score: Math.round(match * 10_000) / 10_000,
    breakdown: { name: match },
    datasets: hit.datasets ?? [],
    riskScore: hit.risk_score,
    reviewStatus: hit.review_status,
  };
}

/**
 * Maps Didit's answer onto our result shape. Hits Didit itself tagged `False Positive` (match score
 * under its threshold) and hits our analysts cleared for this subject are left out; when that
 * leaves nothing of a flagged result, the subject is clear.
 */
export function verdictFromDidit(response: DiditAmlResponse, suppressed: ReadonlySet<string>): ScreeningVerdict {
  const aml = response.aml ?? {};
  const reported = (aml.hits ?? []).map(toHit);
  const relevant = reported.filter((h) => h.reviewStatus !== 'False Positive');
  const hits = relevant.filter((h) => !suppressed.has(hitKeyOf(h))).sort((a, b) => b.score - a.score);
  const clearedByAnalysts = relevant.length > 0 && hits.length === 0;
  return {
    outcome: clearedByAnalysts ? 'clear' : outcomeOfDiditStatus(aml.status),
    score: hits[0]?.score ?? 0,
    hits,
    listVersions: [],
    algorithm: { ...DIDIT_ALGORITHM },
    providerReference: response.request_id,
    providerSummary: { status: aml.status, totalHits: aml.total_hits, riskScore: aml.score },
  };
}
