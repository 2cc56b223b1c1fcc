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
import { prepareName, type PreparedName } from '../matching/prepared-name';
import { normaliseCountry } from '../normalise/country';
import { parsePartialDate, type PartialDate } from '../normalise/partial-date';
import type { WatchlistIndex } from '../watchlist/watchlist-index';
import { hitKey, type ScreeningHit, type ScreeningOptions, type ScreeningQuery } from './screening-result';
import { DEFAULT_THRESHOLDS, SCREENING_ALGORITHM, type ScreeningResult } from './screening-result';
import type { ScreeningOutcome, ScreeningThresholds } from './screening-result';

export interface ScreenerSettings {
  thresholds: ScreeningThresholds;
  /** Hits reported per screening, best first. */
  maxHits: number;
  /** Names fully compared per query after blocking; more raises recall and cost. */
  candidateLimit: number;
}

const DEFAULT_SETTINGS: ScreenerSettings = { thresholds: DEFAULT_THRESHOLDS, maxHits: 10, candidateLimit: 100 };

/** The query's date of birth and countries, parsed once rather than per candidate. */
interface QueryFacts {
  dob: PartialDate | undefined;
  countries: ReadonlySet<string>;
}

interface EntityMatch {
  entryIndex: number;
  name: number;
  matchedName: string;
  identifier: boolean;
}

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
    const prepared = prepareName(query.fullName);
    const accept = this.entryFilter(options);
    const matches = new Map<number, EntityMatch>();
    this.matchDocument(query.documentNumber, prepared, accept, matches);
    const nameIds = this.index.candidates(prepared, this.settings.candidateLimit, accept);
    for (const nameId of nameIds) {
      const { entryIndex, name } = this.index.name(nameId);
      const similarity = nameSimilarity(prepared, name);
      const known = matches.get(entryIndex);
      if (known && known.name >= similarity) continue;
      matches.set(entryIndex, { entryIndex, name: similarity, matchedName: name.raw, identifier: known?.identifier ?? false });
    }
    const facts = queryFacts(query);
    const scored = [...matches.values()].map((match) => this.toHit(match, facts)).sort((a, b) => b.score - a.score);
    const { review } = this.settings.thresholds;
    return {
      outcome: this.outcomeOf(scored[0]?.score ?? 0),
      score: scored[0]?.score ?? 0,
      hits: scored.filter((hit) => hit.score >= review).slice(0, this.settings.maxHits),
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
      const { entry } = this.index.entry(entryIndex);
      if (lists !== undefined && !lists.has(entry.list)) return false;
      return !suppressed.has(entry.entityId) && !suppressed.has(hitKey(entry));
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
      const [name, matchedName] = this.bestListedName(entryIndex, query);
      matches.set(entryIndex, { entryIndex, name, matchedName, identifier: true });
    }
  }

  private bestListedName(entryIndex: number, query: PreparedName): [number, string] {
    const names = this.index.entry(entryIndex).entry.names;
    let best: [number, string] = [0, names[0] ?? ''];
    for (const raw of names) {
      const similarity = nameSimilarity(query, prepareName(raw));
      if (similarity > best[0]) best = [similarity, raw];
    }
    return best;
  }

  private toHit(match: EntityMatch, facts: QueryFacts): ScreeningHit {
    const { entry, birthDates, countries } = this.index.entry(match.entryIndex);
    const dob = dobAdjustment(facts.dob, birthDates);
    const country = countryAdjustment(facts.countries, countries);
    const adjusted = Math.min(1, Math.max(0, match.name + dob + country));
    return {
      list: entry.list,
      entityId: entry.entityId,
      entityName: entry.names[0] ?? '',
      matchedName: match.matchedName,
      schema: entry.schema,
      datasets: [...entry.datasets],
      score: match.identifier ? 1 : round(adjusted),
      breakdown: { name: round(match.name), dob, country, identifier: match.identifier },
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
