/**
 * Every loaded entry, its names as token ids, and inverted indexes from tokens to names and from
 * document numbers to entries. Built once per list version; read-only afterwards.
 *
 * Sized for real lists (a million entries and more): entries live in columns (EntryStore), names
 * are runs of token ids in one Int32Array, and each token's names are one run in another, so the
 * index is a handful of typed arrays rather than millions of small objects. Blocking works on
 * tokens: each query token is widened to the list tokens really alike to it (TokenVocabulary),
 * and names are ranked by how much of the query those tokens cover.
 */
import { performance } from 'node:perf_hooks';
import { normaliseDocumentNumber, MIN_DECISIVE_DOCUMENT_LENGTH } from '../matching/attribute-adjustment';
import { pairQualityOf } from '../matching/name-similarity';
import type { NameToken, PreparedName } from '../matching/prepared-name';
import { INITIAL_AGREEMENT } from '../matching/token-similarity';
import { nameTokens } from '../normalise/name-normaliser';
import type { PartialDate } from '../normalise/partial-date';
import { EntryStore } from './entry-store';
import { Int32Buffer } from './int32-buffer';
import { TokenVocabulary } from './token-vocabulary';
import { topCandidates } from './top-candidates';
import type { ListVersion, WatchlistEntry } from './watchlist-entry';

/** An initial agrees with many names, so it carries half a token's weight (as in the scorer). */
const INITIAL_WEIGHT = 0.5;
/**
 * Ranking estimate of a name's similarity: agreeing weight against agreeing plus unmatched
 * weight, the unmatched part discounted as the scorer discounts missing and conflicting tokens.
 */
const UNMATCHED_COST = 0.2;
/**
 * A token alike to the query token but in more than this share of all names (a common given
 * name near the one asked for) costs a scan of thousands of names and says little: it is
 * skipped. The query's own tokens are always looked up, so a name made only of common tokens is
 * still found.
 */
const MAX_FUZZY_POSTING_SHARE = 0.0005;
const MIN_FUZZY_POSTING_LIMIT = 500;
/**
 * How alike a common list token must be to a rare or unlisted query token to be looked up as
 * what the query meant (Haans / Hans 0.95, Vuiktor / Viktor 0.96): a typing slip, not merely a
 * related name, which would be many names to read for little.
 */
const SLIP_OF_COMMON_TOKEN = 0.9;
/** Prepared token objects kept for candidate comparisons (a few tens of megabytes at most). */
const TOKEN_OBJECT_CACHE_SIZE = 100_000;

/** A token in too many names to read unless needed, and the query token it stands for (one bit). */
interface CommonToken {
  tokenId: number;
  contribution: number;
  position: number;
  exact: boolean;
}

/** Names merged from common tokens' lists so far: id, summed contribution, query tokens covered. */
interface MergeColumns {
  ids: Int32Array;
  sums: Float32Array;
  positions: Uint8Array;
}

function bitCount(bits: number): number {
  let count = 0;
  for (let rest = bits; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/** How many of the query's tokens the common tokens stand for. */
function distinctPositions(common: readonly CommonToken[]): number {
  let positions = 0;
  for (const token of common) positions |= token.position;
  return bitCount(positions);
}

export interface IndexedEntry {
  entry: WatchlistEntry;
  birthDates: readonly PartialDate[];
  countries: ReadonlySet<string>;
}

export interface IndexedName {
  entryIndex: number;
  name: PreparedName;
}

interface IndexParts {
  versions: readonly ListVersion[];
  store: EntryStore;
  vocabulary: TokenVocabulary;
  nameEntry: Int32Array;
  nameOrdinal: Int32Array;
  /** Token ids of name n: nameTokenIds[nameTokenOffsets[n] .. nameTokenOffsets[n + 1]). */
  nameTokenOffsets: Int32Array;
  nameTokenIds: Int32Array;
  documents: Map<string, number[]>;
  buildMs: number;
}

/** Adds entries one at a time, so a loader can stream a file into the index without holding it. */
export class WatchlistIndexBuilder {
  private readonly store = new EntryStore();
  private readonly vocabulary = new TokenVocabulary();
  private readonly nameEntry = new Int32Buffer(1 << 16);
  private readonly nameOrdinal = new Int32Buffer(1 << 16);
  private readonly nameTokenOffsets = new Int32Buffer(1 << 16);
  private readonly nameTokenIds = new Int32Buffer(1 << 18);
  private readonly documents = new Map<string, number[]>();
  private built = false;
  /** Time spent indexing (in add and build), apart from whatever produced the entries. */
  private indexingMs = 0;

  constructor() {
    this.nameTokenOffsets.push(0);
  }

  get size(): number {
    return this.store.size;
  }

  add(entry: WatchlistEntry): void {
    if (this.built) throw new Error('the index is already built');
    const start = performance.now();
    const entryIndex = this.store.add(entry);
    let seen: Set<string> | undefined;
    let first: string | undefined;
    entry.names.forEach((raw, ordinal) => {
      const texts = nameTokens(raw);
      if (texts.length === 0) return;
      const normalised = texts.join(' ');
      if (first === undefined) first = normalised;
      else {
        seen ??= new Set([first]);
        if (seen.has(normalised)) return;
        seen.add(normalised);
      }
      this.nameEntry.push(entryIndex);
      this.nameOrdinal.push(ordinal);
      for (const text of texts) this.nameTokenIds.push(this.vocabulary.intern(text));
      this.nameTokenOffsets.push(this.nameTokenIds.length);
    });
    for (const identifier of entry.identifiers) {
      const document = normaliseDocumentNumber(identifier);
      if (document.length < MIN_DECISIVE_DOCUMENT_LENGTH) continue;
      const known = this.documents.get(document);
      if (known === undefined) this.documents.set(document, [entryIndex]);
      else if (known[known.length - 1] !== entryIndex) known.push(entryIndex);
    }
    this.indexingMs += performance.now() - start;
  }

  build(versions: readonly ListVersion[] = []): WatchlistIndex {
    this.built = true;
    const start = performance.now();
    const index = WatchlistIndex.fromParts({
      versions,
      store: this.store,
      vocabulary: this.vocabulary,
      nameEntry: this.nameEntry.toArray(),
      nameOrdinal: this.nameOrdinal.toArray(),
      nameTokenOffsets: this.nameTokenOffsets.toArray(),
      nameTokenIds: this.nameTokenIds.toArray(),
      documents: this.documents,
      buildMs: 0,
    });
    index.buildMs = this.indexingMs + (performance.now() - start);
    return index;
  }
}

export class WatchlistIndex {
  readonly versions: readonly ListVersion[];
  /** Time it took to build this index from its entries (not counting reading them). */
  buildMs: number;
  private readonly store: EntryStore;
  private readonly vocabulary: TokenVocabulary;
  private readonly nameEntry: Int32Array;
  private readonly nameOrdinal: Int32Array;
  private readonly nameTokenOffsets: Int32Array;
  private readonly nameTokenIds: Int32Array;
  private readonly documents: Map<string, number[]>;
  /** Names of token t: tokenNames[tokenNameOffsets[t] .. tokenNameOffsets[t + 1]), ascending. */
  private readonly tokenNameOffsets: Int32Array;
  private readonly tokenNames: Int32Array;
  /** Sum of a name's token weights: what a query must cover to be that name. */
  private readonly nameWeight: Float32Array;
  /** Scratch space for candidate ranking, reused across queries (screening is synchronous). */
  private readonly scores: Float32Array;
  private readonly touched = new Int32Buffer(1 << 14);
  private readonly marks: Uint8Array;
  /** First letter (char code) of each token, for matching a query's initials. */
  private readonly tokenFirstLetter: Uint8Array;
  private readonly scratchName: PreparedName = { raw: '', tokens: [] };
  private readonly tokenObjects = new Map<number, NameToken>();
  private readonly merges: [MergeColumns, MergeColumns] = [
    { ids: new Int32Array(1 << 16), sums: new Float32Array(1 << 16), positions: new Uint8Array(1 << 16) },
    { ids: new Int32Array(1 << 16), sums: new Float32Array(1 << 16), positions: new Uint8Array(1 << 16) },
  ];

  private constructor(parts: IndexParts) {
    this.versions = parts.versions;
    this.store = parts.store;
    this.vocabulary = parts.vocabulary;
    this.nameEntry = parts.nameEntry;
    this.nameOrdinal = parts.nameOrdinal;
    this.nameTokenOffsets = parts.nameTokenOffsets;
    this.nameTokenIds = parts.nameTokenIds;
    this.documents = parts.documents;
    this.buildMs = parts.buildMs;
    const postings = this.invertNames();
    this.tokenNameOffsets = postings.offsets;
    this.tokenNames = postings.values;
    this.vocabulary.freeze((id) => this.tokenNameOffsets[id + 1] - this.tokenNameOffsets[id], this.nameCount);
    this.nameWeight = new Float32Array(this.nameCount);
    for (let n = 0; n < this.nameCount; n++) {
      let weight = 0;
      for (let p = this.nameTokenOffsets[n]; p < this.nameTokenOffsets[n + 1]; p++) weight += this.tokenWeightOf(this.nameTokenIds[p]);
      this.nameWeight[n] = weight;
    }
    // Written once now, so their pages are resident before the first query rather than faulted
    // in, a few at a time, during the first thousands of screenings.
    this.scores = new Float32Array(this.nameCount).fill(0);
    this.marks = new Uint8Array(this.nameCount).fill(0);
    this.tokenFirstLetter = new Uint8Array(this.vocabulary.size);
    for (let t = 0; t < this.vocabulary.size; t++) this.tokenFirstLetter[t] = this.vocabulary.text(t).charCodeAt(0);
  }

  static build(entries: Iterable<WatchlistEntry>, versions: readonly ListVersion[] = []): WatchlistIndex {
    const builder = new WatchlistIndexBuilder();
    for (const entry of entries) builder.add(entry);
    return builder.build(versions);
  }

  /** @internal used by WatchlistIndexBuilder */
  static fromParts(parts: IndexParts): WatchlistIndex {
    return new WatchlistIndex(parts);
  }

  /** A query name prepared for matching against this index (token weights from this list). */
  prepareQuery(raw: string): PreparedName {
    return { raw, tokens: nameTokens(raw).map((text) => this.vocabulary.queryToken(text)) };
  }

  /** Inverse document frequency: a token in few names identifies more than one in thousands. */
  tokenWeight(text: string): number {
    return this.vocabulary.weightOf(text);
  }

  get size(): number {
    return this.store.size;
  }

  get nameCount(): number {
    return this.nameEntry.length;
  }

  /** Distinct tokens over all names. */
  get tokenCount(): number {
    return this.vocabulary.size;
  }

  /** The entry as loaded, with its dates and countries parsed (rebuilt on each call). */
  entry(entryIndex: number): IndexedEntry {
    return {
      entry: this.store.entry(entryIndex),
      birthDates: this.store.parsedBirthDates(entryIndex),
      countries: this.store.normalisedCountries(entryIndex),
    };
  }

  /** The entry `entityId` of `list` as loaded (names, birth dates, countries as the list wrote them), if loaded. */
  findEntry(list: string, entityId: string): WatchlistEntry | undefined {
    const entryIndex = this.store.indexOf(list, entityId);
    return entryIndex < 0 ? undefined : this.store.entry(entryIndex);
  }

  entryList(entryIndex: number): string {
    return this.store.list(entryIndex);
  }

  entityId(entryIndex: number): string {
    return this.store.entityId(entryIndex);
  }

  schema(entryIndex: number): string {
    return this.store.schema(entryIndex);
  }

  /** The entry's datasets (OpenSanctions) or programs (OFAC); shared, copy before changing. */
  datasets(entryIndex: number): readonly string[] {
    return this.store.datasetList(entryIndex);
  }

  /** The entry's primary name as the list wrote it. */
  primaryName(entryIndex: number): string {
    return this.store.name(entryIndex, 0);
  }

  birthDates(entryIndex: number): readonly PartialDate[] {
    return this.store.parsedBirthDates(entryIndex);
  }

  countries(entryIndex: number): ReadonlySet<string> {
    return this.store.normalisedCountries(entryIndex);
  }

  name(nameId: number): IndexedName {
    return { entryIndex: this.nameEntry[nameId], name: this.preparedName(nameId) };
  }

  nameEntryIndex(nameId: number): number {
    return this.nameEntry[nameId];
  }

  /** The name as the list wrote it. */
  nameText(nameId: number): string {
    return this.store.name(this.nameEntry[nameId], this.nameOrdinal[nameId]);
  }

  /**
   * The listed name's tokens for one comparison, without allocating: the returned object and its
   * tokens are reused by the next call (screening is synchronous), and `raw` is left empty.
   */
  comparableName(nameId: number): PreparedName {
    const name = this.scratchName;
    name.tokens.length = 0;
    for (let p = this.nameTokenOffsets[nameId]; p < this.nameTokenOffsets[nameId + 1]; p++) {
      name.tokens.push(this.sharedToken(this.nameTokenIds[p]));
    }
    return name;
  }

  /** The listed name's tokens, prepared when the index was built. */
  preparedName(nameId: number): PreparedName {
    const tokens: NameToken[] = [];
    for (let p = this.nameTokenOffsets[nameId]; p < this.nameTokenOffsets[nameId + 1]; p++) {
      tokens.push(this.vocabulary.token(this.nameTokenIds[p]));
    }
    const nameText = (id: number) => this.nameText(id);
    return {
      // The text is only built when a hit shows it.
      get raw(): string {
        return nameText(nameId);
      },
      tokens,
    };
  }

  entriesWithDocument(documentNumber: string): readonly number[] {
    return this.documents.get(normaliseDocumentNumber(documentNumber)) ?? [];
  }

  /**
   * Names sharing alike tokens with the query, best `limit` first. Each query token is widened
   * to the list tokens alike to it; a name collects, per such token, its weight (rarer = heavier)
   * times how alike it is, and names are ranked by that agreement against what either side
   * leaves unmatched.
   */
  candidates(query: PreparedName, limit: number, accept: (entryIndex: number) => boolean): number[] {
    const scores = this.scores;
    const touched = this.touched;
    touched.length = 0;
    const fuzzyLimit = Math.max(MIN_FUZZY_POSTING_LIMIT, this.nameCount * MAX_FUZZY_POSTING_SHARE);
    /** Common tokens, looked up once the rarer ones have found their names. */
    const common: CommonToken[] = [];
    let queryWeight = 0;
    for (let position = 0; position < query.tokens.length; position++) {
      const token = query.tokens[position];
      queryWeight += token.initial ? token.weight * INITIAL_WEIGHT : token.weight;
      const { ids, similarities } = this.vocabulary.neighbours(token);
      // A query token the list has rarely or never seen ("Haans", "Ynag") is most likely a slip
      // in a common name ("Hans", "Yang"): the most alike common token is looked up as the
      // token itself would be. A common query token's common neighbours ("Wei" / "Wen") are
      // other names, and too many names to read.
      const ownId = this.vocabulary.idOf(token.text);
      const rareSpelling = ownId === undefined || this.tokenNameOffsets[ownId + 1] - this.tokenNameOffsets[ownId] <= fuzzyLimit;
      let slipOf: CommonToken | undefined;
      let slipSimilarity = SLIP_OF_COMMON_TOKEN;
      for (let k = 0; k < ids.length; k++) {
        const tokenId = ids[k];
        const from = this.tokenNameOffsets[tokenId];
        const to = this.tokenNameOffsets[tokenId + 1];
        const exact = similarities[k] === 1;
        const isCommon = to - from > fuzzyLimit;
        if (!exact && isCommon && !(rareSpelling && similarities[k] >= slipSimilarity)) continue;
        // A rare spelling alike to a common query token must not outweigh the token itself.
        const weight = Math.min(token.weight, this.vocabulary.weight(tokenId));
        const contribution = weight * pairQualityOf(similarities[k]);
        if (contribution <= 0) continue;
        if (isCommon && !exact) {
          slipOf = { tokenId, contribution, position: 1 << position, exact };
          slipSimilarity = similarities[k];
          continue;
        }
        if (isCommon) {
          common.push({ tokenId, contribution, position: 1 << position, exact });
          continue;
        }
        for (let p = from; p < to; p++) {
          const nameId = this.tokenNames[p];
          if (scores[nameId] === 0) touched.push(nameId);
          scores[nameId] += contribution;
        }
      }
      if (slipOf !== undefined) common.push(slipOf);
    }
    // A common token (a frequent given name) only adds to the names the rarer tokens found; the
    // names holding several of the query's common tokens ("Li Wei" for "Wei Li") are looked for
    // as well, whether or not the rarer tokens (or their alike spellings) found anything.
    const found = touched.length;
    const commonPositions = distinctPositions(common);
    if (found > 0 && common.length > 0) {
      // Marked in a byte per name (small enough to stay in cache), the common token's list is
      // then read in order.
      const marks = this.marks;
      const view = touched.view();
      for (let i = 0; i < found; i++) marks[view[i]] = 1;
      for (const { tokenId, contribution } of common) {
        for (let p = this.tokenNameOffsets[tokenId]; p < this.tokenNameOffsets[tokenId + 1]; p++) {
          const nameId = this.tokenNames[p];
          if (marks[nameId] === 1) scores[nameId] += contribution;
        }
      }
      if (commonPositions > 1) this.namesOfCommonTokens(common, touched, marks);
      const marked = touched.view();
      for (let i = 0; i < found; i++) marks[marked[i]] = 0;
    } else if (commonPositions > 1) {
      this.namesOfCommonTokens(common, touched);
    } else if (common.length > 0) {
      // A one-token query, or one whose other tokens found nothing: the names holding the token
      // as written (its common look-alikes would be a great many names that are not it).
      this.namesOfCommonTokens(common.filter((token) => token.exact), touched);
    }
    this.addInitialAgreement(query, touched);
    const ids = touched.view();
    for (let i = 0; i < ids.length; i++) {
      const nameId = ids[i];
      const agreement = scores[nameId];
      const unmatched = Math.max(0, queryWeight + this.nameWeight[nameId] - 2 * agreement);
      scores[nameId] = agreement / (agreement + UNMATCHED_COST * unmatched);
    }
    const best = topCandidates(ids, scores, limit, (id) => accept(this.nameEntry[id]));
    for (let i = 0; i < ids.length; i++) scores[ids[i]] = 0;
    return best;
  }

  /**
   * An initial ("A. Griachera") finds no names of its own, but among the names the other tokens
   * found, those with a token starting with its letter agree with it, as the scorer counts it:
   * half the token's weight, at the initial's agreement. Without this, the one "Antonio
   * Griachera" is ranked like every other Griachera and can fall outside the candidates.
   */
  private addInitialAgreement(query: PreparedName, touched: Int32Buffer): void {
    if (!query.tokens.some((token) => token.initial)) return;
    // The query's own words are what found the names: "S. Stuwaixmann" is after a given name
    // starting with S, not the surname Stuwaixmann again.
    const own = query.tokens.map((token) => (token.initial ? -1 : (this.vocabulary.idOf(token.text) ?? -1)));
    for (const token of query.tokens) {
      if (!token.initial) continue;
      const letter = token.text.charCodeAt(0);
      const ids = touched.view();
      for (let i = 0; i < ids.length; i++) {
        const nameId = ids[i];
        for (let p = this.nameTokenOffsets[nameId]; p < this.nameTokenOffsets[nameId + 1]; p++) {
          const tokenId = this.nameTokenIds[p];
          if (this.tokenFirstLetter[tokenId] !== letter || own.includes(tokenId)) continue;
          this.scores[nameId] += this.tokenWeightOf(tokenId) * INITIAL_WEIGHT * INITIAL_AGREEMENT;
          break;
        }
      }
    }
  }

  /**
   * A query made only of common tokens ("Mohammed Ali"): the names holding common tokens for at
   * least two of the query's tokens (or the one, for a one-token query), found by merging their
   * sorted name lists, which reads them in order instead of touching every name of every list.
   * Alike spellings of one query token count once.
   */
  private namesOfCommonTokens(common: CommonToken[], touched: Int32Buffer, skip?: Uint8Array): void {
    if (common.length === 0) return;
    const scores = this.scores;
    const size = (t: CommonToken): number => this.tokenNameOffsets[t.tokenId + 1] - this.tokenNameOffsets[t.tokenId];
    // Shortest lists first: each merge step copies what is merged so far.
    const ordered = [...common].sort((a, b) => size(a) - size(b));
    let total = 0;
    for (const token of ordered) total += size(token);
    // Two sets of scratch columns, merged from one into the other and swapped: allocating them
    // per merge step made every query of common tokens churn the heap.
    let from = this.mergeScratch(0, total);
    let into = this.mergeScratch(1, total);
    let length = 0;
    for (const { tokenId, contribution, position } of ordered) {
      const start = this.tokenNameOffsets[tokenId];
      const end = this.tokenNameOffsets[tokenId + 1];
      let a = 0;
      let b = start;
      let n = 0;
      while (a < length || b < end) {
        const left = a < length ? from.ids[a] : 0x7fffffff;
        const right = b < end ? this.tokenNames[b] : 0x7fffffff;
        const had = left <= right ? from.positions[a] : 0;
        const adds = right <= left && (had & position) === 0;
        into.ids[n] = left < right ? left : right;
        into.sums[n] = (left <= right ? from.sums[a] : 0) + (adds ? contribution : 0);
        into.positions[n] = had | (right <= left ? position : 0);
        if (left <= right) a++;
        if (right <= left) b++;
        n++;
      }
      length = n;
      const swap = from;
      from = into;
      into = swap;
    }
    const needed = Math.min(2, distinctPositions(common));
    for (let i = 0; i < length; i++) {
      // Names marked in `skip` were found already and have their common tokens' weight.
      if (bitCount(from.positions[i]) < needed || skip?.[from.ids[i]] === 1) continue;
      touched.push(from.ids[i]);
      scores[from.ids[i]] = from.sums[i];
    }
  }

  private mergeScratch(which: 0 | 1, capacity: number): MergeColumns {
    const known = this.merges[which];
    if (known.ids.length >= capacity) return known;
    const size = Math.max(capacity, known.ids.length * 2);
    const grown = { ids: new Int32Array(size), sums: new Float32Array(size), positions: new Uint8Array(size) };
    this.merges[which] = grown;
    return grown;
  }

  /**
   * Token objects of candidate names, kept once made: the same given names and surnames come up
   * in candidate after candidate. Bounded: past the limit the cache starts over.
   */
  private sharedToken(tokenId: number): NameToken {
    let token = this.tokenObjects.get(tokenId);
    if (token === undefined) {
      if (this.tokenObjects.size >= TOKEN_OBJECT_CACHE_SIZE) this.tokenObjects.clear();
      token = this.vocabulary.token(tokenId);
      this.tokenObjects.set(tokenId, token);
    }
    return token;
  }

  private tokenWeightOf(tokenId: number): number {
    const weight = this.vocabulary.weight(tokenId);
    return this.vocabulary.text(tokenId).length === 1 ? weight * INITIAL_WEIGHT : weight;
  }

  /** Token -> names, each name once per distinct token, by counting (two passes, no lists). */
  private invertNames(): { offsets: Int32Array; values: Int32Array } {
    const tokenCount = this.vocabulary.size;
    const offsets = new Int32Array(tokenCount + 1);
    const forEachDistinct = (visit: (tokenId: number, nameId: number) => void): void => {
      for (let n = 0; n < this.nameCount; n++) {
        const from = this.nameTokenOffsets[n];
        const to = this.nameTokenOffsets[n + 1];
        for (let p = from; p < to; p++) {
          const tokenId = this.nameTokenIds[p];
          let repeated = false;
          for (let q = from; q < p && !repeated; q++) repeated = this.nameTokenIds[q] === tokenId;
          if (!repeated) visit(tokenId, n);
        }
      }
    };
    forEachDistinct((tokenId) => offsets[tokenId + 1]++);
    for (let t = 0; t < tokenCount; t++) offsets[t + 1] += offsets[t];
    const fill = offsets.slice(0, tokenCount);
    const values = new Int32Array(offsets[tokenCount]);
    forEachDistinct((tokenId, nameId) => (values[fill[tokenId]++] = nameId));
    return { offsets, values };
  }
}

