/**
 * Double Metaphone (Lawrence Philips, 2000): a primary and an alternate phonetic code per word, so
 * that spellings of one name from different languages (Schmidt / Smith, Jankowski / Yankovsky)
 * share a key. The screener uses it to find candidates despite transliteration differences.
 */
import { encodeC, encodeG } from './double-metaphone-c-g';
import { encodeJ, encodeS, encodeT, encodeW, encodeX, encodeZ } from './double-metaphone-s-t';
import { PhoneticWord } from './phonetic-word';

export interface PhoneticCodes {
  primary: string;
  secondary: string;
}

/** Classic Double Metaphone truncates codes to four characters. */
export const DEFAULT_METAPHONE_LENGTH = 4;

type LetterRule = (w: PhoneticWord) => void;

/** A consonant that always sounds the same; a doubled letter (or a listed follower) is skipped. */
const plain =
  (code: string, skipFollowers: string): LetterRule =>
  (w) =>
    w.emit(code, code, skipFollowers.includes(w.charAt(w.position + 1)) ? 2 : 1);

const RULES: Record<string, LetterRule> = {
  B: plain('P', 'B'),
  C: encodeC,
  D: encodeD,
  F: plain('F', 'F'),
  G: encodeG,
  H: encodeH,
  J: encodeJ,
  K: plain('K', 'K'),
  L: encodeL,
  M: encodeM,
  N: plain('N', 'N'),
  P: (w) => (w.charAt(w.position + 1) === 'H' ? w.emit('F', 'F', 2) : plain('P', 'PB')(w)),
  Q: plain('K', 'Q'),
  R: encodeR,
  S: encodeS,
  T: encodeT,
  V: plain('F', 'V'),
  W: encodeW,
  X: encodeX,
  Z: encodeZ,
};

export function doubleMetaphone(word: string, maxLength = DEFAULT_METAPHONE_LENGTH): PhoneticCodes {
  const letters = word.toUpperCase().replace(/[^A-Z]/g, '');
  if (letters.length === 0) return { primary: '', secondary: '' };
  const w = new PhoneticWord(letters);
  if (w.startsWith('GN', 'KN', 'PN', 'WR', 'PS')) w.position = 1;
  if (letters[0] === 'X') w.emit('S', 'S', 1); // Xavier
  while (w.position < w.length && (w.primary.length < maxLength || w.secondary.length < maxLength)) {
    const rule = RULES[w.charAt(w.position)];
    if (rule) rule(w);
    else encodeVowel(w);
  }
  return { primary: w.primary.slice(0, maxLength), secondary: w.secondary.slice(0, maxLength) };
}

function encodeVowel(w: PhoneticWord): void {
  // Only an initial vowel is kept, and all of them sound alike (Ahmed / Ehmed / Akhmed).
  w.emit(w.position === 0 ? 'A' : '', w.position === 0 ? 'A' : '', 1);
}

function encodeD(w: PhoneticWord): void {
  const at = w.position;
  if (w.has(at, 'DG')) {
    return w.has(at + 2, 'I', 'E', 'Y') ? w.emit('J', 'J', 3) : w.emit('TK', 'TK', 2);
  }
  w.emit('T', 'T', w.has(at, 'DT', 'DD') ? 2 : 1);
}

function encodeH(w: PhoneticWord): void {
  const at = w.position;
  // Kept only at the start or between vowels; silent after a consonant (Khalid, Ahmad).
  if ((at === 0 || w.isVowel(at - 1)) && w.isVowel(at + 1)) return w.emit('H', 'H', 2);
  w.position += 1;
}

function encodeL(w: PhoneticWord): void {
  const at = w.position;
  if (w.charAt(at + 1) !== 'L') return w.emit('L', 'L', 1);
  const spanishLl =
    (at === w.length - 3 && w.has(at - 1, 'ILLO', 'ILLA', 'ALLE')) ||
    ((w.has(w.last - 1, 'AS', 'OS') || w.has(w.last, 'A', 'O')) && w.has(at - 1, 'ALLE'));
  return spanishLl ? w.emit('L', '', 2) : w.emit('L', 'L', 2);
}

function encodeM(w: PhoneticWord): void {
  const at = w.position;
  const silentB = w.has(at - 1, 'UMB') && (at + 1 === w.last || w.has(at + 2, 'ER'));
  w.emit('M', 'M', silentB || w.charAt(at + 1) === 'M' ? 2 : 1);
}

function encodeR(w: PhoneticWord): void {
  const at = w.position;
  // French -ier endings (Rogier) drop the R, but not Germanic ones (Hochmeier).
  const frenchEnding =
    at === w.last && !w.slavoGermanic && w.has(at - 2, 'IE') && !w.has(at - 4, 'ME', 'MA');
  if (frenchEnding) w.add('', 'R');
  else w.add('R');
  w.position += w.charAt(at + 1) === 'R' ? 2 : 1;
}
