/**
 * Similarity of two whole names regardless of token order: every query token is paired with at
 * most one entry token (greedily, best pairs first), then the pairs' quality is discounted for
 * tokens left over on either side.
 */
import { jaroWinkler } from '../similarity/jaro-winkler';
import type { NameToken, PreparedName } from './prepared-name';
import { tokenSimilarity } from './token-similarity';

/** Tokens less alike than this are different names, not a misspelling of one another. */
const PAIR_FLOOR = 0.7;
/** Pairs at or above this are taken at face value; below it they are penalised steeply. */
const STRONG_PAIR = 0.94;
const WEAK_PAIR_STEEPNESS = 1.5;
/** A name part only one side records (a middle name, a second surname) costs little... */
const MISSING_TOKEN_PENALTY = 0.03;
/** ...but two different parts in the same slot ("Ivanovich" / "Petrovich") suggest another person. */
const CONFLICTING_TOKEN_PENALTY = 0.1;
/** One shared token ("Smith") is not a name match on its own, whatever the other parts are. */
export const SINGLE_TOKEN_CAP = 0.78;
/** Joining two tokens ("xiao ping" / "xiaoping") must give a near-identical spelling to count. */
const MERGE_FLOOR = 0.92;

interface TokenPair {
  queryMask: number;
  entryMask: number;
  similarity: number;
  initial: boolean;
}

function addSinglePairs(query: NameToken[], entry: NameToken[], pairs: TokenPair[]): void {
  for (let i = 0; i < query.length; i++) {
    for (let j = 0; j < entry.length; j++) {
      const similarity = tokenSimilarity(query[i], entry[j]);
      if (similarity < PAIR_FLOOR) continue;
      const initial = query[i].initial || entry[j].initial;
      pairs.push({ queryMask: 1 << i, entryMask: 1 << j, similarity, initial });
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
      pairs.push({
        queryMask: splitIsQuery ? splitMask : joinedMask,
        entryMask: splitIsQuery ? joinedMask : splitMask,
        similarity,
        initial: false,
      });
    }
  }
}

function countTokens(tokens: NameToken[], usedMask: number): number {
  let count = 0;
  tokens.forEach((token, i) => {
    if ((usedMask & (1 << i)) === 0) count += token.initial ? 0.5 : 1;
  });
  return count;
}

function pairQuality(pair: TokenPair): number {
  if (pair.initial || pair.similarity >= STRONG_PAIR) return pair.similarity;
  return Math.max(0, pair.similarity - (STRONG_PAIR - pair.similarity) * WEAK_PAIR_STEEPNESS);
}

export function nameSimilarity(query: PreparedName, entry: PreparedName): number {
  const q = query.tokens;
  const e = entry.tokens;
  if (q.length === 0 || e.length === 0) return 0;
  const pairs: TokenPair[] = [];
  addSinglePairs(q, e, pairs);
  if (q.length !== e.length) {
    addMergedPairs(q, e, true, pairs);
    addMergedPairs(e, q, false, pairs);
  }
  pairs.sort((a, b) => b.similarity - a.similarity);
  let usedQuery = 0;
  let usedEntry = 0;
  let weighted = 0;
  let weights = 0;
  let agreeing = 0;
  for (const pair of pairs) {
    if ((usedQuery & pair.queryMask) !== 0 || (usedEntry & pair.entryMask) !== 0) continue;
    usedQuery |= pair.queryMask;
    usedEntry |= pair.entryMask;
    const weight = pair.initial ? 0.5 : 1;
    weighted += pairQuality(pair) * weight;
    weights += weight;
    agreeing += 1;
  }
  if (weights === 0) return 0;
  const leftInQuery = countTokens(q, usedQuery);
  const leftInEntry = countTokens(e, usedEntry);
  const conflicts = Math.min(leftInQuery, leftInEntry);
  const missing = Math.max(leftInQuery, leftInEntry) - conflicts;
  const score = weighted / weights - conflicts * CONFLICTING_TOKEN_PENALTY - missing * MISSING_TOKEN_PENALTY;
  const singleAgreement = agreeing < 2 && (q.length > 1 || e.length > 1);
  return Math.max(0, singleAgreement ? Math.min(score, SINGLE_TOKEN_CAP) : score);
}
