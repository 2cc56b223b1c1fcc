/**
 * Blocking keys put a name in a few inverted-index buckets, so a query is compared only with
 * entries sharing a bucket instead of the whole list. Exact tokens find most matches; phonetic
 * codes, consonant skeletons and affixes find the misspelt and transliterated ones.
 */
import type { NameToken } from './prepared-name';

export interface BlockingKey {
  key: string;
  /** How much sharing this kind of key says about a match, before rarity is considered. */
  weight: number;
  /** The token itself, as opposed to a fuzzy key standing for a family of spellings. */
  exact: boolean;
}

const EXACT_WEIGHT = 1;
const PHONETIC_WEIGHT = 0.6;
const SKELETON_WEIGHT = 0.4;
const AFFIX_WEIGHT = 0.3;
const MIN_SKELETON_LENGTH = 3;
/**
 * One typo changes a token's exact and phonetic keys, but leaves its first or its last letters
 * intact; on long tokens the two affixes do not overlap, so one of them still finds the entry.
 */
const AFFIX_LENGTH = 4;
const MIN_AFFIX_TOKEN_LENGTH = 6;

export function blockingKeys(token: NameToken): BlockingKey[] {
  if (token.initial) return [];
  const keys: BlockingKey[] = [{ key: `t:${token.text}`, weight: EXACT_WEIGHT, exact: true }];
  const [primary, secondary] = token.phonetic;
  if (primary !== '') keys.push({ key: `p:${primary}`, weight: PHONETIC_WEIGHT, exact: false });
  if (secondary !== '' && secondary !== primary) {
    keys.push({ key: `p:${secondary}`, weight: PHONETIC_WEIGHT, exact: false });
  }
  if (token.skeleton.length >= MIN_SKELETON_LENGTH) {
    keys.push({ key: `s:${token.skeleton}`, weight: SKELETON_WEIGHT, exact: false });
  }
  if (token.text.length >= MIN_AFFIX_TOKEN_LENGTH) {
    keys.push({ key: `a:${token.text.slice(0, AFFIX_LENGTH)}`, weight: AFFIX_WEIGHT, exact: false });
    keys.push({ key: `z:${token.text.slice(-AFFIX_LENGTH)}`, weight: AFFIX_WEIGHT, exact: false });
  }
  return keys;
}
