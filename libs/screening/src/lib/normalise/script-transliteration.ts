/**
 * Bring a name written in any script to plain Latin letters, so "Виктор", "Víctor" and "Viktor"
 * can be compared character by character.
 */
import anyAscii from 'any-ascii';

const LATIN_WITH_MARKS = /(\p{Script=Latin})\p{M}+/gu;
const NON_ASCII = /[^\p{ASCII}]/u;
/** Chinese and Korean names: a one-syllable family name, then the given name written as one word. */
const SYLLABIC_NAME_RUN = /[\p{Script=Han}\p{Script=Hangul}]+/gu;
const ARABIC_WORD = /[\u0600-\u06ff]+/g;

/**
 * Arabic script omits short vowels and any-ascii drops alif, leaving skeletons like "khld" for
 * Khalid. Reading the long-vowel letters as vowels and splitting off the article gets much closer
 * to how the same name is romanised on Latin-script lists.
 */
function romaniseArabicWord(word: string): string {
  let text = word.replace(/^ال/, 'al-');
  text = text.replace(/[اأآى]/g, 'a').replace(/إ/g, 'i').replace(/ة$/, 'a');
  text = text.replace(/(?<=.)ي/g, 'i').replace(/(?<=.)و/g, 'u');
  return text;
}

function romaniseSyllabicRun(run: string): string {
  const syllables = [...run].map((char) => anyAscii(char));
  if (syllables.length < 2) return syllables.join('');
  return `${syllables[0]} ${syllables.slice(1).join('')}`;
}

/** Accent-folded (NFKD, combining marks removed from Latin letters) and transliterated text. */
export function toLatinScript(raw: string): string {
  // Marks are only stripped from Latin letters: on Cyrillic "й" or Greek "ά" they change the
  // letter, and any-ascii needs them to transliterate correctly.
  const folded = raw.normalize('NFKD').replace(LATIN_WITH_MARKS, '$1').normalize('NFC');
  if (!NON_ASCII.test(folded)) return folded;
  const prepared = folded
    .replace(ARABIC_WORD, romaniseArabicWord)
    .replace(SYLLABIC_NAME_RUN, (run) => ` ${romaniseSyllabicRun(run)} `);
  return anyAscii(prepared);
}
