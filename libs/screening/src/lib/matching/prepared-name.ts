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
  /** Consonants only, doubles collapsed: how abjad scripts (Arabic, Hebrew) come out romanised. */
  skeleton: string;
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

export function consonantSkeleton(text: string): string {
  return text.replace(VOWELS, '').replace(/(.)\1+/g, '$1');
}

export function prepareToken(text: string): NameToken {
  if (text.length === 1) return { text, initial: true, phonetic: ['', ''], skeleton: '', weight: 1 };
  const codes = doubleMetaphone(text);
  return {
    text,
    initial: false,
    phonetic: [codes.primary, codes.secondary],
    skeleton: consonantSkeleton(text),
    weight: 1,
  };
}

export function prepareName(raw: string): PreparedName {
  return { raw, tokens: nameTokens(raw).map(prepareToken) };
}
