/**
 * How alike two name tokens are, in [0, 1]: Jaro-Winkler on the spelling, lifted when the tokens
 * sound alike or are the same consonant skeleton, so transliteration variants are not lost.
 */
import { GLUED_ARTICLES } from '../normalise/noise-tokens';
import { jaroWinkler } from '../similarity/jaro-winkler';
import type { NameToken } from './prepared-name';

/** An initial says little: "J." agrees with John, Jan and Jamal alike. */
export const INITIAL_AGREEMENT = 0.75;
/** Same Double Metaphone code: Mohammed / Muhammad (JW 0.85) are one name, spelt differently. */
const PHONETIC_FLOOR = 0.92;
/** Short codes collide by chance (John / Jane both "JN"), so only longer tokens get the floor. */
const PHONETIC_MIN_LENGTH = 5;
/** ...and only spellings that already look related: a shared code alone is too coarse. */
const PHONETIC_MIN_SPELLING = 0.7;
/** Consonant skeleton of one equals the vowel-less other: "mhmd" (Arabic script) / "mohammed". */
const SKELETON_FLOOR = 0.88;
const SKELETON_MIN_LENGTH = 3;
/**
 * The same spelling once transliteration variants are folded (Wang / Vang, Xiang / Ksiang): one
 * name romanised two ways. JW misses it when the variant is the first letter (no common prefix)
 * or is two letters for one.
 */
const FOLDED_FLOOR = 0.95;
/** Short folded spellings collide across different names (Cai / Kai), so only longer ones count. */
export const FOLDED_MIN_LENGTH = 4;
/**
 * A given name and the patronymic built on it (Timur / Timurovich, Artem / Artemovna, Andrei /
 * Andreovich) are two different parts of a name, though JW's shared-prefix bonus rates them
 * 0.9 alike. So are a surname and a patronymic (Ivanov / Ivanovich).
 */
const PATRONYMIC_ENDING = /(?:ovich|evich|ovych|ovitch|ovic|evic|ovna|evna|ivna|ich)$/;
const PATRONYMIC_MIN_EXTRA_LETTERS = 3;
const NOT_THE_SAME_NAME_PART = 0.6;
/** "alrashidi" vs "rashidi": a glued article is almost, not quite, the same name. */
const GLUED_ARTICLE_DISCOUNT = 0.03;

function soundAlike(a: NameToken, b: NameToken): boolean {
  if (a.text.length < PHONETIC_MIN_LENGTH || b.text.length < PHONETIC_MIN_LENGTH) return false;
  const [a1, a2] = a.phonetic;
  const [b1, b2] = b.phonetic;
  if (a1 === '' || b1 === '') return false;
  return a1 === b1 || a1 === b2 || a2 === b1 || (a2 === b2 && a2 !== '');
}

const HAS_VOWEL = /[aeiouy]/;

/** Only a token with no vowels at all is a bare skeleton; otherwise the spelling is informative. */
function isBareSkeleton(token: NameToken): boolean {
  return token.text.length >= SKELETON_MIN_LENGTH && !HAS_VOWEL.test(token.text);
}

function sameSkeleton(a: NameToken, b: NameToken): boolean {
  return (isBareSkeleton(a) || isBareSkeleton(b)) && a.skeleton === b.skeleton;
}

function isNameAndItsPatronymic(a: string, b: string): boolean {
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  return longer.length - shorter.length >= PATRONYMIC_MIN_EXTRA_LETTERS && PATRONYMIC_ENDING.test(longer) && !PATRONYMIC_ENDING.test(shorter);
}

function withoutGluedArticle(text: string): string | undefined {
  for (const article of GLUED_ARTICLES) {
    if (text.length > article.length + 3 && text.startsWith(article)) return text.slice(article.length);
  }
  return undefined;
}

function gluedArticleSimilarity(a: string, b: string): number {
  const bareA = withoutGluedArticle(a);
  const bareB = withoutGluedArticle(b);
  if (bareA === undefined && bareB === undefined) return 0;
  return jaroWinkler(bareA ?? a, bareB ?? b) - GLUED_ARTICLE_DISCOUNT;
}

export function tokenSimilarity(a: NameToken, b: NameToken): number {
  if (a.text === b.text) return 1;
  if (a.initial || b.initial) return a.text[0] === b.text[0] ? INITIAL_AGREEMENT : 0;
  let similarity = jaroWinkler(a.text, b.text);
  if (similarity < FOLDED_FLOOR && a.folded === b.folded && a.folded.length >= FOLDED_MIN_LENGTH) return FOLDED_FLOOR;
  if (similarity >= PHONETIC_MIN_SPELLING && similarity < PHONETIC_FLOOR && soundAlike(a, b)) similarity = PHONETIC_FLOOR;
  if (similarity < SKELETON_FLOOR && sameSkeleton(a, b)) similarity = SKELETON_FLOOR;
  if (similarity < 0.9) similarity = Math.max(similarity, gluedArticleSimilarity(a.text, b.text));
  if (similarity > NOT_THE_SAME_NAME_PART && isNameAndItsPatronymic(a.text, b.text)) return NOT_THE_SAME_NAME_PART;
  return similarity;
}
