/**
 * Similarity of two whole names regardless of token order. Every query token is paired with at
 * most one entry token (greedily, best pairs first; adjacent tokens may pair as one word), then
 * the pairs' quality is weighed against the tokens left over. Tokens carry weights (rarer on the
 * list = heavier), so agreeing on "Mohammed" counts for less than agreeing on a rare surname, and
 * a different surname costs more than a missing middle name.
 */
import { jaroWinkler } from '../similarity/jaro-winkler';
import type { NameToken, PreparedName } from './prepared-name';
import { tokenSimilarity } from './token-similarity';

/**
 * Query-token-by-entry-token similarities for one screening. Candidate names share most of their
 * tokens (common given names, the query's own surname), so most comparisons are repeats.
 */
export class TokenSimilarityCache {
  private readonly byQueryToken: Map<string, number>[];

  constructor(private readonly query: PreparedName) {
    this.byQueryToken = query.tokens.map(() => new Map<string, number>());
  }

  similarity(queryIndex: number, entryToken: NameToken): number {
    const known = this.byQueryToken[queryIndex].get(entryToken.text);
    if (known !== undefined) return known;
    const similarity = tokenSimilarity(this.query.tokens[queryIndex], entryToken);
    this.byQueryToken[queryIndex].set(entryToken.text, similarity);
    return similarity;
  }
}

/** Tokens less alike than this are different names, not a misspelling of one another. */
const PAIR_FLOOR = 0.7;
/** Pairs at or above this are taken at face value; below it they are penalised steeply. */
const STRONG_PAIR = 0.94;
const WEAK_PAIR_STEEPNESS = 1.5;
/** A name part only one side records (a middle name, a second surname) costs little... */
const MISSING_TOKEN_COST = 0.1;
/** ...while leftovers on both sides are parts that disagree ("Ivanovich" / "Petrovich"). */
const CONFLICTING_TOKEN_COST = 0.35;
/** An initial agrees with every name starting with its letter, so it counts for half. */
const INITIAL_WEIGHT = 0.5;
/** One shared token ("Smith") is not a name match on its own, whatever the other parts are. */
export const SINGLE_TOKEN_CAP = 0.75;
/** Joining two tokens ("xiao ping" / "xiaoping") must give a near-identical spelling to count. */
const MERGE_FLOOR = 0.92;

interface TokenPair {
  queryMask: number;
  entryMask: number;
  similarity: number;
  weight: number;
  initial: boolean;
}

function addSinglePairs(query: NameToken[], entry: NameToken[], pairs: TokenPair[], cache?: TokenSimilarityCache): void {
  for (let i = 0; i < query.length; i++) {
    for (let j = 0; j < entry.length; j++) {
      const similarity = cache ? cache.similarity(i, entry[j]) : tokenSimilarity(query[i], entry[j]);
      if (similarity < PAIR_FLOOR) continue;
      const initial = query[i].initial || entry[j].initial;
      const weight = initial ? entry[j].weight * INITIAL_WEIGHT : entry[j].weight;
      pairs.push({ queryMask: 1 << i, entryMask: 1 << j, similarity, weight, initial });
    }
  }
}

/** Adjacent tokens on one side written as one word on the other (Xiao Ping / Xiaoping). */
function addMergedPairs(split: NameToken[], joined: NameToken[], splitIsQuery: boolean, pairs: TokenPair[]): void {
  for (let i = 0; i + 1 < split.length; i++) {
    if (split[i].initial || split[i + 1].initial) continue;
    const merged = split[i].text + split[i + 1].text;
    for (let j = 0; j < joined.length; j++) {
      if (joined[j].text[0] !== merged[0]) continue;
      const similarity = jaroWinkler(merged, joined[j].text);
      if (similarity < MERGE_FLOOR) continue;
      const splitMask = 3 << i;
      const joinedMask = 1 << j;
      const weight = splitIsQuery ? joined[j].weight : split[i].weight + split[i + 1].weight;
      pairs.push({
        queryMask: splitIsQuery ? splitMask : joinedMask,
        entryMask: splitIsQuery ? joinedMask : splitMask,
        similarity,
        weight,
        initial: false,
      });
    }
  }
}

function leftoverWeight(tokens: NameToken[], usedMask: number): number {
  let weight = 0;
  tokens.forEach((token, i) => {
    if ((usedMask & (1 << i)) === 0) weight += token.initial ? token.weight * INITIAL_WEIGHT : token.weight;
  });
  return weight;
}

function pairQuality(pair: TokenPair): number {
  if (pair.initial || pair.similarity >= STRONG_PAIR) return pair.similarity;
  return Math.max(0, pair.similarity - (STRONG_PAIR - pair.similarity) * WEAK_PAIR_STEEPNESS);
}

function candidatePairs(q: NameToken[], e: NameToken[], cache?: TokenSimilarityCache): TokenPair[] {
  const pairs: TokenPair[] = [];
  addSinglePairs(q, e, pairs, cache);
  if (q.length !== e.length) {
    addMergedPairs(q, e, true, pairs);
    addMergedPairs(e, q, false, pairs);
  }
  return pairs.sort((a, b) => b.similarity - a.similarity);
}

/** `cache` must have been made for this same query. */
export function nameSimilarity(query: PreparedName, entry: PreparedName, cache?: TokenSimilarityCache): number {
  const q = query.tokens;
  const e = entry.tokens;
  if (q.length === 0 || e.length === 0) return 0;
  let usedQuery = 0;
  let usedEntry = 0;
  let agreement = 0;
  let pairedWeight = 0;
  let pairCount = 0;
  for (const pair of candidatePairs(q, e, cache)) {
    if ((usedQuery & pair.queryMask) !== 0 || (usedEntry & pair.entryMask) !== 0) continue;
    usedQuery |= pair.queryMask;
    usedEntry |= pair.entryMask;
    agreement += pairQuality(pair) * pair.weight;
    pairedWeight += pair.weight;
    pairCount += 1;
  }
  if (pairCount === 0) return 0;
  const leftInQuery = leftoverWeight(q, usedQuery);
  const leftInEntry = leftoverWeight(e, usedEntry);
  const conflicting = leftInQuery > 0 && leftInEntry > 0;
  const leftoverCost = (leftInQuery + leftInEntry) * (conflicting ? CONFLICTING_TOKEN_COST : MISSING_TOKEN_COST);
  const score = agreement / (pairedWeight + leftoverCost);
  const singleAgreement = pairCount < 2 && (q.length > 1 || e.length > 1);
  return singleAgreement ? Math.min(score, SINGLE_TOKEN_CAP) : score;
}
