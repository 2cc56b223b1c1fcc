/**
 * Sanctions / PEP screening: watchlist loading, name matching and evaluation tooling. Pure
 * library: no framework, broker or database dependencies.
 */
export { loadWatchlists, type LoadedWatchlists, type LoadOptions } from './lib/loading/load-watchlists';
export { readOpenSanctions } from './lib/loading/opensanctions-reader';
export { readOfacSdn, OFAC_LIST, type OfacFiles } from './lib/loading/ofac-sdn-reader';
export { parseOfacRemarks, type OfacRemarkFacts } from './lib/loading/ofac-remarks';
export type { ListVersion, LoadProblem, WatchlistEntry } from './lib/watchlist/watchlist-entry';
export { WatchlistIndex, WatchlistIndexBuilder } from './lib/watchlist/watchlist-index';

export { Screener, type ScreenerSettings } from './lib/screening/screener';
export {
  DEFAULT_THRESHOLDS,
  SCREENING_ALGORITHM,
  hitKey,
  type ScoreBreakdown,
  type ScreeningHit,
  type ScreeningOptions,
  type ScreeningOutcome,
  type ScreeningQuery,
  type ScreeningResult,
  type ScreeningThresholds,
} from './lib/screening/screening-result';
export { changedLists, compareScreenings, type ListChange, type ScreeningComparison } from './lib/screening/screening-changes';

export { normaliseName, nameTokens } from './lib/normalise/name-normaliser';
export { normaliseCountry } from './lib/normalise/country';
export { jaro, jaroWinkler } from './lib/similarity/jaro-winkler';
export { doubleMetaphone, type PhoneticCodes } from './lib/similarity/double-metaphone';
export { soundex } from './lib/similarity/soundex';
export { nameSimilarity } from './lib/matching/name-similarity';
export { prepareName, type PreparedName } from './lib/matching/prepared-name';

export { generateEvaluationSet, type EvaluationCase, type EvaluationSetOptions } from './lib/evaluation/evaluation-set';
export { judgeCase, precisionOf, recallOf, tallyEvaluation, type CaseJudgement, type EvaluationTally } from './lib/evaluation/evaluation-scoring';
export { areNearNames, ListedNameNeighbourhood } from './lib/evaluation/near-listed-names';
export { generateSyntheticWatchlist, syntheticWatchlistEntries, type SyntheticWatchlistOptions } from './lib/evaluation/synthetic-watchlist';
export { openSanctionsRow, writeOpenSanctionsCsv, OPENSANCTIONS_COLUMNS } from './lib/evaluation/opensanctions-csv-writer';
