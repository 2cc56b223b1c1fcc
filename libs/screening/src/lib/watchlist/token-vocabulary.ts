/**
 * The distinct tokens of a list, numbered, each prepared once (phonetic codes, consonant
 * skeleton, one-letter deletions) however many names share it. Given names and common surnames repeat
 * thousands of times on a real list, so preparing per token instead of per name is most of what
 * makes building the index fast.
 *
 * The fuzzy keys (phonetic code, skeleton, folded spelling, deletion) point at tokens, not at names: a million
 * names have a few hundred thousand distinct tokens, so these lists stay small, and a query token
 * is first widened to the list tokens that really are alike (verified with the token similarity
 * the scorer uses), and only those tokens' names are looked at.
 */
import { tokenSimilarity } from '../matching/token-similarity';
import { foldSpelling, prepareToken, skeletonOfFolded, type NameToken } from '../matching/prepared-name';
import { FOLDED_MIN_LENGTH } from '../matching/token-similarity';
import { doubleMetaphone } from '../similarity/double-metaphone';
import { Int32Buffer, postingsFromPairs, type Postings } from './int32-buffer';
import { InternTable } from './intern-table';

/** Same as prepareToken: longer codes than classic Double Metaphone (see prepared-name.ts). */
const PHONETIC_CODE_LENGTH = 8;
/** Skeletons this short (one or two consonants) say nothing and are not indexed. */
const MIN_SKELETON_LENGTH = 3;
/** List tokens less alike than this are not considered spellings of the query token. */
export const NEIGHBOUR_FLOOR = 0.8;
/** A phonetic code or skeleton shared by more tokens than this is too coarse to look up. */
const MAX_KEY_TOKENS = 1_000;
/**
 * Typing slips are found through one-letter deletions (the symmetric-delete method): a token
 * and every spelling of it with one letter left out are keys, and a query token looks up its own
 * keys the same way. Two tokens one substitution, insertion, deletion or swap of neighbours
 * apart always share a key. Keys are hashed into this many buckets, with no strings kept; a
 * bucket shared by chance only adds a few tokens to verify.
 */
const DELETION_BUCKETS = 1 << 22;
/** Beyond this length a token gets no deletion keys (only its whole-token key). */
const MAX_DELETION_LENGTH = 24;
/** Tokens whose length differs more than this are no typo of one another. */
const MAX_LENGTH_GAP = 2;

/** A token's list-side neighbours and how alike each is to it, in (NEIGHBOUR_FLOOR, 1]. */
export interface TokenNeighbours {
  ids: Int32Array;
  similarities: Float64Array;
}

/** FNV-1a over the token's letters, leaving out the one at `skip` (-1: none), into a bucket. */
function deletionBucket(text: string, skip: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    if (i === skip) continue;
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  hash ^= text.length - (skip < 0 ? 0 : 1);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) & (DELETION_BUCKETS - 1);
}

/** The buckets of a token: itself and each one-letter deletion (repeats, as in "ll", once). */
function deletionBuckets(text: string, out: number[]): number[] {
  out.length = 0;
  out.push(deletionBucket(text, -1));
  if (text.length < 2 || text.length > MAX_DELETION_LENGTH) return out;
  for (let skip = 0; skip < text.length; skip++) {
    if (skip > 0 && text.charCodeAt(skip) === text.charCodeAt(skip - 1)) continue;
    const bucket = deletionBucket(text, skip);
    if (!out.includes(bucket)) out.push(bucket);
  }
  return out;
}

const HAS_VOWEL = /[aeiouy]/;

export class TokenVocabulary {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];
  private readonly codes = new InternTable();
  private readonly skeletons = new InternTable();
  private readonly primaryOf = new Int32Buffer();
  private readonly secondaryOf = new Int32Buffer();
  private readonly skeletonOf = new Int32Buffer();
  /** Folded spellings (foldSpelling) that differ from the token's own; -1 where it is the same. */
  private readonly folds = new InternTable();
  private readonly foldedOf = new Int32Buffer();
  /** (key, token) pairs until `freeze`, then compressed rows per key. */
  private codePairs? = { keys: new Int32Buffer(), tokens: new Int32Buffer() };
  private skeletonPairs? = { keys: new Int32Buffer(), tokens: new Int32Buffer() };
  private foldedPairs? = { keys: new Int32Buffer(), tokens: new Int32Buffer() };
  private deletionPairs? = { keys: new Int32Buffer(1 << 16), tokens: new Int32Buffer(1 << 16) };
  private byCode!: Postings;
  private bySkeleton!: Postings;
  private byFolded!: Postings;
  private byDeletion!: Postings;
  private weights = new Float64Array(0);
  private unknownWeight = 0;
  /** Scratch space for neighbour search, reused across queries (screening is synchronous). */
  private verifiedStamp = new Int32Array(0);
  private stamp = 0;
  private readonly bucketScratch: number[] = [];
  /** Token lengths, for the cheap length filter of the neighbour search. */
  private lengths = new Uint8Array(0);
  /** Tokens without vowels ("mhmd"): only these are alike by consonant skeleton alone. */
  private bare = new Uint8Array(0);
  /** The list token being verified, reused: verifying allocates nothing. */
  private readonly candidate = { text: '', initial: false, phonetic: ['', ''] as [string, string], skeleton: '', folded: '', weight: 1 };

  get size(): number {
    return this.texts.length;
  }

  idOf(text: string): number | undefined {
    return this.ids.get(text);
  }

  text(id: number): string {
    return this.texts[id];
  }

  /** The token's id, preparing it the first time it is seen. */
  intern(text: string): number {
    const known = this.ids.get(text);
    if (known !== undefined) return known;
    const id = this.texts.length;
    this.ids.set(text, id);
    this.texts.push(text);
    const pairs = this.codePairs;
    if (!pairs || !this.skeletonPairs || !this.foldedPairs || !this.deletionPairs) throw new Error('the vocabulary is frozen');
    if (text.length === 1) {
      this.primaryOf.push(-1);
      this.secondaryOf.push(-1);
      this.skeletonOf.push(-1);
      this.foldedOf.push(-1);
      return id;
    }
    const { primary, secondary } = doubleMetaphone(text, PHONETIC_CODE_LENGTH);
    const primaryId = primary === '' ? -1 : this.codes.id(primary);
    const secondaryId = secondary === '' ? -1 : this.codes.id(secondary);
    const folded = foldSpelling(text);
    const foldedId = folded === text ? -1 : this.folds.id(folded);
    this.foldedOf.push(foldedId);
    if (foldedId >= 0 && folded.length >= FOLDED_MIN_LENGTH) {
      this.foldedPairs.keys.push(foldedId);
      this.foldedPairs.tokens.push(id);
    }
    const skeleton = skeletonOfFolded(folded);
    const skeletonId = this.skeletons.id(skeleton);
    this.primaryOf.push(primaryId);
    this.secondaryOf.push(secondaryId);
    this.skeletonOf.push(skeletonId);
    if (primaryId >= 0) {
      pairs.keys.push(primaryId);
      pairs.tokens.push(id);
    }
    if (secondaryId >= 0 && secondaryId !== primaryId) {
      pairs.keys.push(secondaryId);
      pairs.tokens.push(id);
    }
    if (skeleton.length >= MIN_SKELETON_LENGTH) {
      this.skeletonPairs.keys.push(skeletonId);
      this.skeletonPairs.tokens.push(id);
    }
    const deletions = this.deletionPairs;
    for (const bucket of deletionBuckets(text, this.bucketScratch)) {
      deletions.keys.push(bucket);
      deletions.tokens.push(id);
    }
    return id;
  }

  /**
   * Once every name is added: weights from how many names each token occurs in (inverse
   * document frequency: a token in few names identifies more than one in thousands), and the
   * key lists compressed.
   */
  freeze(namesPerToken: (id: number) => number, nameCount: number): void {
    if (!this.codePairs || !this.skeletonPairs || !this.foldedPairs || !this.deletionPairs) return;
    this.byCode = postingsFromPairs(this.codePairs.keys, this.codePairs.tokens, this.codes.texts.length);
    this.bySkeleton = postingsFromPairs(this.skeletonPairs.keys, this.skeletonPairs.tokens, this.skeletons.texts.length);
    this.byFolded = postingsFromPairs(this.foldedPairs.keys, this.foldedPairs.tokens, this.folds.texts.length);
    this.byDeletion = postingsFromPairs(this.deletionPairs.keys, this.deletionPairs.tokens, DELETION_BUCKETS);
    this.codePairs = this.skeletonPairs = this.foldedPairs = this.deletionPairs = undefined;
    this.weights = new Float64Array(this.texts.length);
    for (let id = 0; id < this.texts.length; id++) this.weights[id] = Math.log(1 + nameCount / Math.max(1, namesPerToken(id)));
    this.unknownWeight = Math.log(1 + nameCount);
    this.lengths = new Uint8Array(this.texts.length);
    this.bare = new Uint8Array(this.texts.length);
    for (let id = 0; id < this.texts.length; id++) {
      this.lengths[id] = Math.min(255, this.texts[id].length);
      this.bare[id] = HAS_VOWEL.test(this.texts[id]) ? 0 : 1;
    }
    this.verifiedStamp = new Int32Array(this.texts.length).fill(0); // resident before the first query
  }

  weight(id: number): number {
    return this.weights[id];
  }

  /** Inverse document frequency of any text, listed or not. */
  weightOf(text: string): number {
    const id = this.ids.get(text);
    return id === undefined ? this.unknownWeight : this.weights[id];
  }

  /** The prepared token (a fresh object: callers may keep it, the vocabulary does not). */
  token(id: number): NameToken {
    const text = this.texts[id];
    const primary = this.primaryOf.at(id);
    const secondary = this.secondaryOf.at(id);
    const skeleton = this.skeletonOf.at(id);
    return {
      text,
      initial: text.length === 1,
      phonetic: [primary < 0 ? '' : this.codes.texts[primary], secondary < 0 ? '' : this.codes.texts[secondary]],
      skeleton: skeleton < 0 ? '' : this.skeletons.texts[skeleton],
      folded: this.foldedText(id),
      weight: this.weights[id] ?? 1,
    };
  }

  /** A query token: the list's own token if the list has it, else prepared now. */
  queryToken(text: string): NameToken {
    const id = this.ids.get(text);
    if (id !== undefined) return this.token(id);
    const token = prepareToken(text);
    token.weight = this.unknownWeight;
    return token;
  }

  /**
   * List tokens alike enough to `query` to be the same name spelt differently: the token itself,
   * tokens sharing a phonetic code or consonant skeleton, and tokens one typing slip away, each
   * verified with the scorer's own token similarity.
   */
  neighbours(query: NameToken): TokenNeighbours {
    if (query.initial) return { ids: new Int32Array(0), similarities: new Float64Array(0) };
    return this.findNeighbours(query, this.ids.get(query.text));
  }

  private findNeighbours(query: NameToken, knownId: number | undefined): TokenNeighbours {
    const stamp = this.nextStamp();
    const ids: number[] = [];
    const similarities: number[] = [];
    const length = Math.min(255, query.text.length);
    const verify = (id: number): void => {
      if (this.verifiedStamp[id] === stamp) return;
      this.verifiedStamp[id] = stamp;
      const similarity = id === knownId ? 1 : tokenSimilarity(query, this.asCandidate(id));
      if (similarity < NEIGHBOUR_FLOOR) return;
      ids.push(id);
      similarities.push(similarity);
    };
    if (knownId !== undefined) verify(knownId);
    // Sounding alike only lifts spellings already close (see token-similarity.ts): same length, give or take.
    const alikeLength = (id: number): void => {
      if (Math.abs(this.lengths[id] - length) <= MAX_LENGTH_GAP) verify(id);
    };
    for (const code of new Set(query.phonetic)) {
      const codeId = code === '' ? undefined : this.codes.idIfKnown(code);
      if (codeId !== undefined) this.visitRow(this.byCode, codeId, alikeLength);
    }
    // The same skeleton only counts when one side is written without vowels.
    const queryBare = !HAS_VOWEL.test(query.text);
    const skeletonId = query.skeleton.length >= MIN_SKELETON_LENGTH ? this.skeletons.idIfKnown(query.skeleton) : undefined;
    if (skeletonId !== undefined) this.visitRow(this.bySkeleton, skeletonId, (id) => (queryBare || this.bare[id] === 1) && verify(id));
    // The same spelling once transliteration variants are folded (Wang / Vang, Xiang / Ksiang):
    // the list token spelt as the query's folded form, or folded to it.
    if (query.folded.length >= FOLDED_MIN_LENGTH) {
      const spelt = this.ids.get(query.folded);
      if (spelt !== undefined) verify(spelt);
      const foldedId = this.folds.idIfKnown(query.folded);
      if (foldedId !== undefined) this.visitRow(this.byFolded, foldedId, verify);
    }
    // Tokens one slip away share a deletion key, and differ in length by one at most.
    const slipLength = (id: number): void => {
      if (Math.abs(this.lengths[id] - length) <= 1) verify(id);
    };
    for (const bucket of deletionBuckets(query.text, this.bucketScratch)) this.visitRow(this.byDeletion, bucket, slipLength);
    return { ids: Int32Array.from(ids), similarities: Float64Array.from(similarities) };
  }

  private asCandidate(id: number): NameToken {
    const candidate = this.candidate;
    const primary = this.primaryOf.at(id);
    const secondary = this.secondaryOf.at(id);
    const skeleton = this.skeletonOf.at(id);
    candidate.text = this.texts[id];
    candidate.initial = candidate.text.length === 1;
    candidate.phonetic[0] = primary < 0 ? '' : this.codes.texts[primary];
    candidate.phonetic[1] = secondary < 0 ? '' : this.codes.texts[secondary];
    candidate.skeleton = skeleton < 0 ? '' : this.skeletons.texts[skeleton];
    candidate.folded = this.foldedText(id);
    candidate.weight = this.weights[id];
    return candidate;
  }

  private foldedText(id: number): string {
    const folded = this.foldedOf.at(id);
    return folded < 0 ? this.texts[id] : this.folds.texts[folded];
  }

  private visitRow(postings: Postings, row: number, visit: (id: number) => void): void {
    const from = postings.offsets[row];
    const to = postings.offsets[row + 1];
    if (to - from > MAX_KEY_TOKENS) return;
    for (let p = from; p < to; p++) visit(postings.values[p]);
  }

  private nextStamp(): number {
    if (this.stamp === 0x7fffffff) {
      this.verifiedStamp.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}
