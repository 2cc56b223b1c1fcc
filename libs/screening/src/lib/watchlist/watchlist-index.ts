/**
 * Every loaded entry, its names prepared for matching, and inverted indexes from blocking keys to
 * names and from document numbers to entries. Built once per list version; read-only afterwards.
 */
import { normaliseDocumentNumber, MIN_DECISIVE_DOCUMENT_LENGTH } from '../matching/attribute-adjustment';
import type { NameToken, PreparedName } from '../matching/prepared-name';
import { normaliseCountry } from '../normalise/country';
import { nameTokens } from '../normalise/name-normaliser';
import { parsePartialDate, type PartialDate } from '../normalise/partial-date';
import { TokenVocabulary } from './token-vocabulary';
import { topCandidates } from './top-candidates';
import type { ListVersion, WatchlistEntry } from './watchlist-entry';

/**
 * A fuzzy key (phonetic, skeleton, trigram) shared by more than this share of all names, e.g. the
 * trigram "vic", says almost nothing and costs a scan of thousands of names: it is skipped.
 * Exact-token keys are always used, so a query made only of common names still finds them.
 */
const MAX_FUZZY_POSTING_SHARE = 0.01;
const MIN_FUZZY_POSTING_LIMIT = 200;
/** Per query token, only its rarest trigrams are looked up: they are the discriminating ones. */
const TRIGRAMS_PER_QUERY_TOKEN = 4;

export interface IndexedEntry {
  entry: WatchlistEntry;
  birthDates: PartialDate[];
  countries: ReadonlySet<string>;
}

export interface IndexedName {
  entryIndex: number;
  name: PreparedName;
}

export class WatchlistIndex {
  private readonly entries: IndexedEntry[] = [];
  private readonly names: IndexedName[] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly documents = new Map<string, number[]>();
  private readonly vocabulary = new TokenVocabulary();
  /** Scratch space for candidate ranking, reused across queries (screening is synchronous). */
  private scores = new Float64Array(0);

  private constructor(readonly versions: readonly ListVersion[]) {}

  static build(entries: readonly WatchlistEntry[], versions: readonly ListVersion[] = []): WatchlistIndex {
    const index = new WatchlistIndex(versions);
    for (const entry of entries) index.add(entry);
    index.vocabulary.assignWeights();
    index.scores = new Float64Array(index.names.length);
    return index;
  }

  /** A query name prepared for matching against this index (token weights from this list). */
  prepareQuery(raw: string): PreparedName {
    return { raw, tokens: nameTokens(raw).map((text) => this.vocabulary.queryToken(text)) };
  }

  /** Inverse document frequency: a token in few names identifies more than one in thousands. */
  tokenWeight(text: string): number {
    return this.vocabulary.weight(text);
  }

  get size(): number {
    return this.entries.length;
  }

  get nameCount(): number {
    return this.names.length;
  }

  entry(entryIndex: number): IndexedEntry {
    return this.entries[entryIndex];
  }

  name(nameId: number): IndexedName {
    return this.names[nameId];
  }

  entriesWithDocument(documentNumber: string): readonly number[] {
    return this.documents.get(normaliseDocumentNumber(documentNumber)) ?? [];
  }

  /**
   * Names sharing blocking keys with the query, best `limit` first. A key shared by few names
   * counts for more than one shared by thousands (inverse document frequency).
   */
  candidates(query: PreparedName, limit: number, accept: (entryIndex: number) => boolean): number[] {
    const touched: number[] = [];
    const scores = this.scores;
    const fuzzyLimit = Math.max(MIN_FUZZY_POSTING_LIMIT, this.names.length * MAX_FUZZY_POSTING_SHARE);
    for (const token of query.tokens) {
      for (const { posting, weight } of this.queryPostings(token, fuzzyLimit)) {
        const keyWeight = weight * Math.log(1 + this.names.length / posting.length);
        for (const nameId of posting) {
          if (scores[nameId] === 0) touched.push(nameId);
          scores[nameId] += keyWeight;
        }
      }
    }
    const best = topCandidates(touched, scores, limit, (id) => accept(this.names[id].entryIndex));
    for (const nameId of touched) scores[nameId] = 0;
    return best;
  }

  private add(entry: WatchlistEntry): void {
    const entryIndex = this.entries.length;
    this.entries.push({
      entry,
      birthDates: entry.birthDates.map(parsePartialDate).filter((date): date is PartialDate => !!date),
      countries: new Set(entry.countries.map(normaliseCountry).filter((c): c is string => !!c)),
    });
    const seenNames = new Set<string>();
    for (const raw of entry.names) {
      const texts = nameTokens(raw);
      const normalised = texts.join(' ');
      if (texts.length === 0 || seenNames.has(normalised)) continue;
      seenNames.add(normalised);
      const nameId = this.names.length;
      const { tokens, keys } = this.vocabulary.addName(texts);
      this.names.push({ entryIndex, name: { raw, tokens } });
      for (const key of keys) append(this.postings, key, nameId);
    }
    for (const identifier of entry.identifiers) {
      const document = normaliseDocumentNumber(identifier);
      if (document.length >= MIN_DECISIVE_DOCUMENT_LENGTH) append(this.documents, document, entryIndex);
    }
  }

  private queryPostings(token: NameToken, fuzzyLimit: number): { posting: number[]; weight: number }[] {
    const found: { posting: number[]; weight: number; kind: string }[] = [];
    for (const { key, kind, weight } of this.vocabulary.keysOf(token)) {
      const posting = this.postings.get(key);
      if (posting && (kind === 'exact' || posting.length <= fuzzyLimit)) found.push({ posting, weight, kind });
    }
    // Trigrams are for typos, which make tokens the list does not have; a token the list has is
    // looked up by itself and its phonetic and skeleton keys, which cover its spelling variants.
    if (found.some((k) => k.kind === 'exact')) return found.filter((k) => k.kind !== 'trigram');
    const rareTrigrams = found
      .filter((k) => k.kind === 'trigram')
      .sort((a, b) => a.posting.length - b.posting.length)
      .slice(0, TRIGRAMS_PER_QUERY_TOKEN);
    return [...found.filter((k) => k.kind !== 'trigram'), ...rareTrigrams];
  }
}

function append(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}
