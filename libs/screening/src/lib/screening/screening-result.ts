/**
 * The shape of a screening: what was asked, what was found, and enough about the lists and the
 * algorithm to explain the decision in an audit years later.
 */
import type { ListVersion } from '../watchlist/watchlist-entry';

export interface ScreeningQuery {
  fullName: string;
  /** ISO date, possibly partial (`1968`, `1968-04`). */
  dateOfBirth?: string;
  /** ISO alpha-2 code or English country name. */
  nationality?: string;
  /** Country of residence or issuing country; compared like nationality. */
  country?: string;
  /** Passport or national id number. */
  documentNumber?: string;
}

export type ScreeningOutcome = 'clear' | 'review' | 'match';

export interface ScreeningThresholds {
  /** A score at or above this needs a human to look. */
  review: number;
  /** A score at or above this is treated as the listed party. */
  match: number;
}

/**
 * Chosen at real-list size on a development list (tools/bench/screener.bench.ts, 1,000,000
 * entries, seed 7, not the bench's seed): review at 0.90 kept recall at 0.972 with precision
 * 0.974 under algorithm 1.0 (0.986 / 0.978 under 1.1: typo-tolerant candidate look-up, initials,
 * folded spellings, misspelt legal forms), where 0.84 (the value chosen at 50,000 entries) flags 8.8% of unlisted names at that
 * density; at 0.93 a match is the expected entity in over 99% of cases. Lower `review`
 * (AML_REVIEW_THRESHOLD) to favour recall on noisier data or a smaller list.
 */
export const DEFAULT_THRESHOLDS: ScreeningThresholds = { review: 0.9, match: 0.93 };

/** Bump the version whenever scoring changes, so stored results say which rules produced them. */
export const SCREENING_ALGORITHM = { name: 'token-pair-jaro-winkler', version: '1.1.0' } as const;

export interface ScoreBreakdown {
  /** Name similarity in [0, 1] of the best-matching name or alias. */
  name: number;
  /** Adjustment from date of birth (positive agrees, negative disagrees, 0 unknown). */
  dob: number;
  /** Adjustment from nationality / country. */
  country: number;
  /** The document number matched one on the list: decisive. */
  identifier: boolean;
}

export interface ScreeningHit {
  list: string;
  entityId: string;
  /** The entry's primary name. */
  entityName: string;
  /** The name or alias that matched the query best. */
  matchedName: string;
  schema: string;
  /** OpenSanctions datasets or OFAC programs. */
  datasets: string[];
  score: number;
  breakdown: ScoreBreakdown;
}

export interface ScreeningResult {
  outcome: ScreeningOutcome;
  /** Best score among the compared candidates, flagged or not. */
  score: number;
  /** Candidates at or above the review threshold, best first. */
  hits: ScreeningHit[];
  listVersions: ListVersion[];
  algorithm: { name: string; version: string };
  thresholds: ScreeningThresholds;
  /** Names fully compared after blocking: evidence the index, not a scan, did the work. */
  namesCompared: number;
}

export interface ScreeningOptions {
  /**
   * Entities an analyst has cleared as false positives for this subject. Either a bare entityId
   * or `list/entityId` to suppress on one list only.
   */
  suppressedEntityIds?: Iterable<string>;
  /** Screen against these lists only (default: all loaded lists). */
  lists?: Iterable<string>;
}

/** A hit's identity across re-screenings: the same entity on the same list. */
export function hitKey(hit: Pick<ScreeningHit, 'list' | 'entityId'>): string {
  return `${hit.list}/${hit.entityId}`;
}
