/**
 * Similarity of two whole names regardless of token order. Every query token is paired with at
 * most one entry token (greedily, best pairs first; adjacent tokens may pair as one word), then
 * the pairs' quality is weighed against the tokens left over. Tokens carry weights (rarer on the
 * list = heavier), so agreeing on "Mohammed" counts for less than agreeing on a rare surname, and
 * a different surname costs more than a missing middle name.
 */
import { jaroWinkler } from '../similarity/jaro-winkler';
import type { NameToken, PreparedName } from './prepared-name';
import type { TokenSimilarityCache } from './token-similarity-cache';
import { tokenSimilarity } from './token-similarity';

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
/**
 * One shared token ("Smith") is not a name match on its own, whatever the other parts are: capped
 * below the review threshold, so only an agreeing date of birth brings it to a human.
 */
export const SINGLE_TOKEN_CAP = 0.76;
/** Joining two tokens ("xiao ping" / "xiaoping") must give a near-identical spelling to count. */
const MERGE_FLOOR = 0.92;
const MERGE_MAX_LENGTH_GAP = 2;

/**
 * Candidate token pairs of the comparison in progress, as parallel arrays reused across calls:
 * this runs for every candidate of every screening, and names have at most a few dozen pairs.
 */
const MAX_PAIRS = 256;
const pairQuery = new Int32Array(MAX_PAIRS);
const pairEntry = new Int32Array(MAX_PAIRS);
const pairSimilarity = new Float64Array(MAX_PAIRS);
const pairWeight = new Float64Array(MAX_PAIRS);
const pairInitial = new Uint8Array(MAX_PAIRS);
let pairCount = 0;

function addPair(queryMask: number, entryMask: number, similarity: number, weight: number, initial: boolean): void {
  if (pairCount === MAX_PAIRS) return;
  pairQuery[pairCount] = queryMask;
  pairEntry[pairCount] = entryMask;
  pairSimilarity[pairCount] = similarity;
  pairWeight[pairCount] = weight;
  pairInitial[pairCount] = initial ? 1 : 0;
  pairCount += 1;
}

function addSinglePairs(query: NameToken[], entry: NameToken[], cache?: TokenSimilarityCache): void {
  for (let i = 0; i < query.length; i++) {
    for (let j = 0; j < entry.length; j++) {
      const similarity = cache ? cache.similarity(i, entry[j]) : tokenSimilarity(query[i], entry[j]);
      if (similarity < PAIR_FLOOR) continue;
      const initial = query[i].initial || entry[j].initial;
      addPair(1 << i, 1 << j, similarity, initial ? entry[j].weight * INITIAL_WEIGHT : entry[j].weight, initial);
    }
  }
}

/** Adjacent tokens on one side written as one word on the other (Xiao Ping / Xiaoping). */
function addMergedPairs(split: NameToken[], joined: NameToken[], splitIsQuery: boolean): void {
  for (let i = 0; i + 1 < split.length; i++) {
    const left = split[i];
    const right = split[i + 1];
    if (left.initial || right.initial) continue;
    const mergedLength = left.text.length + right.text.length;
    for (let j = 0; j < joined.length; j++) {
      const whole = joined[j].text;
      if (whole[0] !== left.text[0] || Math.abs(whole.length - mergedLength) > MERGE_MAX_LENGTH_GAP) continue;
      const similarity = jaroWinkler(left.text + right.text, whole);
      if (similarity < MERGE_FLOOR) continue;
      const weight = splitIsQuery ? joined[j].weight : left.weight + right.weight;
      if (splitIsQuery) addPair(3 << i, 1 << j, similarity, weight, false);
      else addPair(1 << j, 3 << i, similarity, weight, false);
    }
  }
}

function leftoverWeight(tokens: NameToken[], usedMask: number): number {
  let weight = 0;
  for (let i = 0; i < tokens.length; i++) {
    if ((usedMask & (1 << i)) === 0) weight += tokens[i].initial ? tokens[i].weight * INITIAL_WEIGHT : tokens[i].weight;
  }
  return weight;
}

/** What a token pair this alike contributes: weak pairs count for much less than their similarity. */
export function pairQualityOf(similarity: number): number {
  if (similarity >= STRONG_PAIR) return similarity;
  return Math.max(0, similarity - (STRONG_PAIR - similarity) * WEAK_PAIR_STEEPNESS);
}

function pairQuality(p: number): number {
  return pairInitial[p] === 1 ? pairSimilarity[p] : pairQualityOf(pairSimilarity[p]);
}

/** `cache` must have been made for this same query. */
export function nameSimilarity(query: PreparedName, entry: PreparedName, cache?: TokenSimilarityCache): number {
  const q = query.tokens;
  const e = entry.tokens;
  if (q.length === 0 || e.length === 0) return 0;
  pairCount = 0;
  addSinglePairs(q, e, cache);
  if (q.length !== e.length) {
    addMergedPairs(q, e, true);
    addMergedPairs(e, q, false);
  }
  let usedQuery = 0;
  let usedEntry = 0;
  let agreement = 0;
  let pairedWeight = 0;
  let paired = 0;
  // Greedy assignment: take the most similar pair whose tokens are both still free, repeatedly.
  for (;;) {
    let best = -1;
    for (let p = 0; p < pairCount; p++) {
      if ((usedQuery & pairQuery[p]) !== 0 || (usedEntry & pairEntry[p]) !== 0) continue;
      if (best < 0 || pairSimilarity[p] > pairSimilarity[best]) best = p;
    }
    if (best < 0) break;
    usedQuery |= pairQuery[best];
    usedEntry |= pairEntry[best];
    agreement += pairQuality(best) * pairWeight[best];
    pairedWeight += pairWeight[best];
    paired += 1;
  }
  if (paired === 0) return 0;
  const leftInQuery = leftoverWeight(q, usedQuery);
  const leftInEntry = leftoverWeight(e, usedEntry);
  const conflicting = leftInQuery > 0 && leftInEntry > 0;
  const leftoverCost = (leftInQuery + leftInEntry) * (conflicting ? CONFLICTING_TOKEN_COST : MISSING_TOKEN_COST);
  const score = agreement / (pairedWeight + leftoverCost);
  const singleAgreement = paired < 2 && (q.length > 1 || e.length > 1);
  return singleAgreement ? Math.min(score, SINGLE_TOKEN_CAP) : score;
}
