/**
 * Screens one person against the loaded watchlists: blocked candidates from the index, name
 * similarity per candidate name, date-of-birth and country adjustments per entity, decisive
 * document numbers, then an outcome from the thresholds.
 */
import {
  countryAdjustment,
  dobAdjustment,
  MIN_DECISIVE_DOCUMENT_LENGTH,
  normaliseDocumentNumber,
} from '../matching/attribute-adjustment';
import { nameSimilarity } from '../matching/name-similarity';
import { TokenSimilarityCache } from '../matching/token-similarity-cache';
import type { PreparedName } from '../matching/prepared-name';
import { normaliseCountry } from '../normalise/country';
import { parsePartialDate, type PartialDate } from '../normalise/partial-date';
import type { WatchlistIndex } from '../watchlist/watchlist-index';
import { DEFAULT_THRESHOLDS, hitKey, SCREENING_ALGORITHM } from './screening-result';
import type { ScreeningHit, ScreeningOptions, ScreeningOutcome, ScreeningQuery } from './screening-result';
import type { ScreeningResult, ScreeningThresholds } from './screening-result';

export interface ScreenerSettings {
  thresholds: ScreeningThresholds;
  /** Hits reported per screening, best first. */
  maxHits: number;
  /** Names fully compared per query after blocking; more raises recall and cost. */
  candidateLimit: number;
}

/** 40 candidates find the expected entry as often as 100 on the evaluation set, at half the cost. */
const DEFAULT_SETTINGS: ScreenerSettings = { thresholds: DEFAULT_THRESHOLDS, maxHits: 10, candidateLimit: 40 };

/** The query's date of birth and countries, parsed once rather than per candidate. */
interface QueryFacts {
  dob: PartialDate | undefined;
  countries: ReadonlySet<string>;
}

/** The best-matching name of one entity, and its score once DOB and country are applied. */
interface EntityMatch {
  entryIndex: number;
  name: number;
  matchedName: string;
  identifier: boolean;
  dob: number;
  country: number;
  score: number;
  /**
   * Everything the case says for this entity before the score is clamped to [0, 1]: two
   * entities whose names both score 1 tie at 1, and the birth date or country that agrees with
   * one of them must still put it first.
   */
  evidence: number;
}

/** Best first: by score, then (among scores clamped alike) by the evidence behind them. */
const byScoreThenEvidence = (a: EntityMatch, b: EntityMatch): number => b.score - a.score || b.evidence - a.evidence;

export class Screener {
  readonly settings: ScreenerSettings;

  constructor(private readonly index: WatchlistIndex, settings: Partial<ScreenerSettings> = {}) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    const { review, match } = this.settings.thresholds;
    if (!(review > 0 && review <= match && match <= 1)) {
      throw new RangeError(`thresholds must satisfy 0 < review <= match <= 1 (got ${review}, ${match})`);
    }
  }

  screen(query: ScreeningQuery, options: ScreeningOptions = {}): ScreeningResult {
    const prepared = this.index.prepareQuery(query.fullName);
    const accept = this.entryFilter(options);
    const matches = new Map<number, EntityMatch>();
    this.matchDocument(query.documentNumber, prepared, accept, matches);
    const nameIds = this.index.candidates(prepared, this.settings.candidateLimit, accept);
    const cache = new TokenSimilarityCache(prepared);
    for (const nameId of nameIds) {
      const entryIndex = this.index.nameEntryIndex(nameId);
      const similarity = nameSimilarity(prepared, this.index.comparableName(nameId), cache);
      const known = matches.get(entryIndex);
      if (known && known.name >= similarity) continue;
      const identifier = known?.identifier ?? false;
      const matchedName = this.index.nameText(nameId);
      matches.set(entryIndex, { entryIndex, name: similarity, matchedName, identifier, dob: 0, country: 0, score: 0, evidence: 0 });
    }
    const facts = queryFacts(query);
    const ranked = [...matches.values()].map((match) => this.adjust(match, facts)).sort(byScoreThenEvidence);
    const best = ranked[0]?.score ?? 0;
    const { review } = this.settings.thresholds;
    return {
      outcome: this.outcomeOf(best),
      score: best,
      hits: ranked.filter((match) => match.score >= review).slice(0, this.settings.maxHits).map((m) => this.toHit(m)),
      listVersions: [...this.index.versions],
      algorithm: { ...SCREENING_ALGORITHM },
      thresholds: { ...this.settings.thresholds },
      namesCompared: nameIds.length,
    };
  }

  outcomeOf(score: number): ScreeningOutcome {
    const { review, match } = this.settings.thresholds;
    if (score >= match) return 'match';
    return score >= review ? 'review' : 'clear';
  }

  private entryFilter(options: ScreeningOptions): (entryIndex: number) => boolean {
    const suppressed = new Set(options.suppressedEntityIds ?? []);
    const lists = options.lists === undefined ? undefined : new Set(options.lists);
    if (suppressed.size === 0 && lists === undefined) return () => true;
    return (entryIndex) => {
      const list = this.index.entryList(entryIndex);
      if (lists !== undefined && !lists.has(list)) return false;
      const entityId = this.index.entityId(entryIndex);
      return !suppressed.has(entityId) && !suppressed.has(hitKey({ list, entityId }));
    };
  }

  /** A listed passport or national id number identifies the person whatever the name says. */
  private matchDocument(
    documentNumber: string | undefined,
    query: PreparedName,
    accept: (entryIndex: number) => boolean,
    matches: Map<number, EntityMatch>,
  ): void {
    if (!documentNumber || normaliseDocumentNumber(documentNumber).length < MIN_DECISIVE_DOCUMENT_LENGTH) return;
    for (const entryIndex of this.index.entriesWithDocument(documentNumber)) {
      if (!accept(entryIndex)) continue;
      const { names } = this.index.entry(entryIndex).entry;
      let best = { name: 0, matchedName: names[0] ?? '' };
      for (const raw of names) {
        const name = nameSimilarity(query, this.index.prepareQuery(raw));
        if (name > best.name) best = { name, matchedName: raw };
      }
      matches.set(entryIndex, { entryIndex, ...best, identifier: true, dob: 0, country: 0, score: 0, evidence: 0 });
    }
  }

  private adjust(match: EntityMatch, facts: QueryFacts): EntityMatch {
    match.dob = dobAdjustment(facts.dob, this.index.birthDates(match.entryIndex));
    match.country = countryAdjustment(facts.countries, this.index.countries(match.entryIndex));
    const evidence = match.name + match.dob + match.country;
    match.score = match.identifier ? 1 : round(Math.min(1, Math.max(0, evidence)));
    // A listed document outranks any name; among documents, the better name.
    match.evidence = match.identifier ? 2 + evidence : evidence;
    return match;
  }

  private toHit(match: EntityMatch): ScreeningHit {
    const i = match.entryIndex;
    return {
      list: this.index.entryList(i),
      entityId: this.index.entityId(i),
      entityName: this.index.primaryName(i),
      matchedName: match.matchedName,
      schema: this.index.schema(i),
      datasets: [...this.index.datasets(i)],
      score: match.score,
      breakdown: { name: round(match.name), dob: match.dob, country: match.country, identifier: match.identifier },
    };
  }
}

function queryFacts(query: ScreeningQuery): QueryFacts {
  const countries = [query.nationality, query.country]
    .map((value) => (value ? normaliseCountry(value) : undefined))
    .filter((value): value is string => value !== undefined);
  return { dob: query.dateOfBirth ? parsePartialDate(query.dateOfBirth) : undefined, countries: new Set(countries) };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
