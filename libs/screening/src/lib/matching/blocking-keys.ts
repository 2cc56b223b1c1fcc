/**
 * Blocking keys put a name in a few inverted-index buckets, so a query is compared only with
 * entries sharing a bucket instead of the whole list. Exact tokens find most matches; phonetic
 * codes and consonant skeletons find the misspelt and transliterated ones.
 */
import type { NameToken } from './prepared-name';

export interface BlockingKey {
  key: string;
  /** How much sharing this kind of key says about a match, before rarity is considered. */
  weight: number;
}

const EXACT_WEIGHT = 1;
const PHONETIC_WEIGHT = 0.6;
const SKELETON_WEIGHT = 0.4;
const MIN_SKELETON_LENGTH = 3;

export function blockingKeys(token: NameToken): BlockingKey[] {
  if (token.initial) return [];
  const keys: BlockingKey[] = [{ key: `t:${token.text}`, weight: EXACT_WEIGHT }];
  const [primary, secondary] = token.phonetic;
  if (primary !== '') keys.push({ key: `p:${primary}`, weight: PHONETIC_WEIGHT });
  if (secondary !== '' && secondary !== primary) {
    keys.push({ key: `p:${secondary}`, weight: PHONETIC_WEIGHT });
  }
  if (token.skeleton.length >= MIN_SKELETON_LENGTH) {
    keys.push({ key: `s:${token.skeleton}`, weight: SKELETON_WEIGHT });
  }
  return keys;
}
