/**
 * How a screening of an evaluation case is judged, and the recall and precision over a set.
 *
 * Recall: the expected entity is among the hits (score >= review).
 * Precision: of the flagged cases (review or match), the share whose top hit is the expected
 * entity. Invented names that get flagged count against it.
 *
 * Identically named entries: when the top hits tie and the expected entity is one of them, the
 * case is correct, because nothing in it can tell them apart. It is so only when the tied hit
 * bears the same name as the top one (same tokens) and the case's date of birth and country
 * adjust both alike; when they adjust them differently, the case carried what should have broken
 * the tie and the screener did not use it, so it is not correct.
 */
import { nameTokens } from '../normalise/name-normaliser';
import type { ScreeningHit, ScreeningResult } from '../screening/screening-result';
import type { EvaluationCase } from './evaluation-set';

export interface CaseJudgement {
  flagged: boolean;
  /** A listed case whose entity is among the hits. */
  found: boolean;
  /** A flagged listed case whose expected entity is the top hit, or tied with it (see above). */
  correct: boolean;
  /** Correct only through a tie with an identically named entry. */
  byTie: boolean;
}

const sameNameTokens = (a: string, b: string): boolean => nameTokens(a).sort().join(' ') === nameTokens(b).sort().join(' ');

/** Nothing in the case tells `a` from `b`: same score, same name, same DOB and country adjustments. */
export function indistinguishable(a: ScreeningHit, b: ScreeningHit): boolean {
  return (
    a.score === b.score &&
    !a.breakdown.identifier && !b.breakdown.identifier &&
    a.breakdown.name === b.breakdown.name &&
    a.breakdown.dob === b.breakdown.dob &&
    a.breakdown.country === b.breakdown.country &&
    sameNameTokens(a.matchedName, b.matchedName)
  );
}

export function judgeCase(evaluation: EvaluationCase, result: ScreeningResult): CaseJudgement {
  const flagged = result.outcome !== 'clear';
  const expected = evaluation.expected;
  if (!expected) return { flagged, found: false, correct: false, byTie: false };
  const isExpected = (hit: ScreeningHit): boolean => hit.list === expected.list && hit.entityId === expected.entityId;
  const mine = result.hits.find(isExpected);
  const top = result.hits[0];
  if (!flagged || !mine) return { flagged, found: mine !== undefined, correct: false, byTie: false };
  if (mine === top) return { flagged, found: true, correct: true, byTie: false };
  const byTie = indistinguishable(mine, top);
  return { flagged, found: true, correct: byTie, byTie };
}

export interface EvaluationTally {
  listed: number;
  found: number;
  flagged: number;
  flaggedCorrectly: number;
  /** Of flaggedCorrectly, the cases correct through a tie between identically named entries. */
  correctByTie: number;
  invented: number;
  inventedFlagged: number;
  byPerturbation: Map<string, { found: number; total: number }>;
}

export function tallyEvaluation(cases: readonly EvaluationCase[], results: readonly ScreeningResult[]): EvaluationTally {
  const t: EvaluationTally = { listed: 0, found: 0, flagged: 0, flaggedCorrectly: 0, correctByTie: 0, invented: 0, inventedFlagged: 0, byPerturbation: new Map() };
  cases.forEach((evaluation, i) => {
    const judgement = judgeCase(evaluation, results[i]);
    if (judgement.flagged) t.flagged += 1;
    if (!evaluation.expected) {
      t.invented += 1;
      if (judgement.flagged) t.inventedFlagged += 1;
      return;
    }
    t.listed += 1;
    if (judgement.found) t.found += 1;
    if (judgement.correct) t.flaggedCorrectly += 1;
    if (judgement.byTie) t.correctByTie += 1;
    for (const name of evaluation.perturbations) {
      const bucket = t.byPerturbation.get(name) ?? { found: 0, total: 0 };
      bucket.total += 1;
      if (judgement.found) bucket.found += 1;
      t.byPerturbation.set(name, bucket);
    }
  });
  return t;
}

export const recallOf = (t: EvaluationTally): number => t.found / Math.max(1, t.listed);
export const precisionOf = (t: EvaluationTally): number => t.flaggedCorrectly / Math.max(1, t.flagged);
