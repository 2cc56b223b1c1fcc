/**
 * A name broken into tokens with everything the matcher needs precomputed once: list entries are
 * prepared when the index is built, queries once per screening.
 */
import { nameTokens } from '../normalise/name-normaliser';
import { doubleMetaphone } from '../similarity/double-metaphone';

export interface NameToken {
  text: string;
  /** A single letter ("J." in "J. Smith") agrees with any token starting with it, weakly. */
  initial: boolean;
  phonetic: readonly [primary: string, secondary: string];
  /**
   * Consonants only, transliteration variants folded (kh/h, w/v...), doubles collapsed: how
   * abjad scripts (Arabic, Hebrew) come out romanised, and a key shared by spelling variants.
   */
  skeleton: string;
  /**
   * The spelling with those same transliteration variants folded and doubled letters single,
   * vowels kept: "wang" / "vang", "xiang" / "ksiang", "llaura" / "laura" fold alike.
   */
  folded: string;
  /**
   * How much agreeing on this token says: a rare surname far more than a common given name.
   * 1 until an index assigns weights from token frequencies on the list.
   */
  weight: number;
}

export interface PreparedName {
  raw: string;
  tokens: NameToken[];
}

const VOWELS = /[aeiouy]/g;

/**
 * Romanisations of one letter that differ between lists: Cyrillic х and Arabic خ/ح come out as
 * "kh" or "h", ф as "f" or "ph", в as "v" or "w".
 */
const FOLDS: readonly [RegExp, string][] = [
  [/kh/g, 'h'], [/gh/g, 'g'], [/ph/g, 'f'], [/w/g, 'v'], [/q/g, 'k'], [/ck/g, 'k'], [/c(?=[aou]|$)/g, 'k'],
  [/x/g, 'ks'], [/dj|dzh/g, 'j'], [/tz/g, 'ts'],
];
/**
 * Longer than the classic four characters: truncated codes make long names with a common start
 * sound alike (Petrovsky / Petrova both "PTRF"), which is too coarse for scoring.
 */
const PHONETIC_CODE_LENGTH = 8;

const DOUBLED = /(.)\1+/g;

export function foldSpelling(text: string): string {
  let folded = text;
  for (const [pattern, replacement] of FOLDS) folded = folded.replace(pattern, replacement);
  return folded.replace(DOUBLED, '$1');
}

/** The consonant skeleton of a spelling already folded (foldSpelling). */
export function skeletonOfFolded(folded: string): string {
  return folded.replace(VOWELS, '').replace(DOUBLED, '$1');
}

export function consonantSkeleton(text: string): string {
  return skeletonOfFolded(foldSpelling(text));
}

export function prepareToken(text: string): NameToken {
  if (text.length === 1) return { text, initial: true, phonetic: ['', ''], skeleton: '', folded: text, weight: 1 };
  const codes = doubleMetaphone(text, PHONETIC_CODE_LENGTH);
  const folded = foldSpelling(text);
  return {
    text,
    initial: false,
    phonetic: [codes.primary, codes.secondary],
    skeleton: skeletonOfFolded(folded),
    folded,
    weight: 1,
  };
}

export function prepareName(raw: string): PreparedName {
  return { raw, tokens: nameTokens(raw).map(prepareToken) };
}
