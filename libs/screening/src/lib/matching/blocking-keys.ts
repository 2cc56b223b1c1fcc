/**
 * Blocking keys put a name in a few inverted-index buckets, so a query is compared only with
 * entries sharing a bucket instead of the whole list. Exact tokens find most matches; phonetic
 * codes and consonant skeletons find transliteration variants; character trigrams find
 * typos anywhere in a token (one typo spoils at most three of them).
 */
import type { NameToken } from './prepared-name';

export type BlockingKeyKind = 'exact' | 'phonetic' | 'skeleton' | 'trigram';

export interface BlockingKey {
  key: string;
  kind: BlockingKeyKind;
  /** How much sharing this kind of key says about a match, before rarity is considered. */
  weight: number;
}

const WEIGHTS: Record<BlockingKeyKind, number> = { exact: 1, phonetic: 0.6, skeleton: 0.5, trigram: 0.25 };
const MIN_SKELETON_LENGTH = 3;

/** Boundary-marked trigrams: "^iv", "iva", "van", "an$" for "ivan". */
export function trigrams(text: string): string[] {
  const padded = `^${text}$`;
  const grams: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) grams.push(padded.slice(i, i + 3));
  return grams;
}

function key(kind: BlockingKeyKind, value: string): BlockingKey {
  return { key: `${kind[0]}:${value}`, kind, weight: WEIGHTS[kind] };
}

/** Every key a token has; the index stores all of them, a query uses the informative ones. */
export function blockingKeys(token: NameToken): BlockingKey[] {
  if (token.initial) return [];
  const keys = [key('exact', token.text)];
  const [primary, secondary] = token.phonetic;
  if (primary !== '') keys.push(key('phonetic', primary));
  if (secondary !== '' && secondary !== primary) keys.push(key('phonetic', secondary));
  if (token.skeleton.length >= MIN_SKELETON_LENGTH) keys.push(key('skeleton', token.skeleton));
  for (const gram of new Set(trigrams(token.text))) keys.push(key('trigram', gram));
  return keys;
}
