/**
 * The ways a name on a form differs from the same name on a list: typing slips, another order,
 * a dropped middle name, initials, another romanisation, another script, accents. Each returns
 * undefined when it does not apply to the name.
 */
import { capitalise } from './invented-names';
import type { SeededRandom } from './seeded-random';

export type Perturbation = (name: string, random: SeededRandom) => string | undefined;

const KEYBOARD_LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Spelling differences between romanisation systems and between lists. */
const ROMANISATION_RULES: readonly [RegExp, string][] = [
  [/ks/, 'x'], [/x/, 'ks'], [/kh/, 'h'], [/ou/, 'u'], [/u(?=[^aeiou])/, 'ou'], [/y$/, 'i'], [/i$/, 'y'],
  [/v/, 'w'], [/w/, 'v'], [/ph/, 'f'], [/f/, 'ph'], [/zh/, 'j'], [/j/, 'dj'], [/ch/, 'tch'], [/ts/, 'tz'],
  [/ee/, 'i'], [/([bcdfgklmnprst])\1/, '$1'], [/([lmnrst])(?=[aeiou])/, '$1$1'], [/ei/, 'ey'], [/sh/, 'sch'],
  [/c(?=[aou])/, 'k'], [/k/, 'c'], [/q/, 'k'], [/yu/, 'iu'], [/ya/, 'ia'], [/ie/, 'iye'], [/e/, 'a'], [/o/, 'u'],
  [/yev/, 'ev'], [/ii$/, 'y'], [/iy$/, 'y'],
];

const CYRILLIC: readonly [string, string][] = [
  ['shch', 'щ'], ['zh', 'ж'], ['kh', 'х'], ['ts', 'ц'], ['ch', 'ч'], ['sh', 'ш'], ['yu', 'ю'], ['ya', 'я'],
  ['ye', 'е'], ['yo', 'ё'], ['a', 'а'], ['b', 'б'], ['v', 'в'], ['g', 'г'], ['d', 'д'], ['e', 'е'], ['z', 'з'],
  ['i', 'и'], ['y', 'ы'], ['k', 'к'], ['l', 'л'], ['m', 'м'], ['n', 'н'], ['o', 'о'], ['p', 'п'], ['r', 'р'],
  ['s', 'с'], ['t', 'т'], ['u', 'у'], ['f', 'ф'], ['h', 'х'], ['c', 'ц'], ['w', 'в'], ['x', 'кс'], ['j', 'й'], ['q', 'к'],
];

const ACCENTED: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ö', u: 'ü', c: 'ç', n: 'ñ', s: 'š', z: 'ž' };

const words = (name: string): string[] => name.split(' ').filter(Boolean);

function perturbOneWord(name: string, random: SeededRandom, change: (word: string) => string | undefined): string | undefined {
  const parts = words(name);
  const candidates = parts.map((_, i) => i).filter((i) => parts[i].length >= 4);
  if (candidates.length === 0) return undefined;
  const i = random.pick(candidates);
  const changed = change(parts[i].toLowerCase());
  if (changed === undefined || changed === parts[i].toLowerCase()) return undefined;
  parts[i] = capitalise(changed);
  return parts.join(' ');
}

export const typo: Perturbation = (name, random) =>
  perturbOneWord(name, random, (word) => {
    const at = random.int(0, word.length - 1);
    const letter = random.pick([...KEYBOARD_LETTERS]);
    switch (random.int(0, 3)) {
      case 0: return word.slice(0, at) + letter + word.slice(at + 1);
      case 1: return word.slice(0, at) + word.slice(at + 1);
      case 2: return word.slice(0, at) + letter + word.slice(at);
      default: return at + 1 < word.length ? word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2) : undefined;
    }
  });

export const swapTokens: Perturbation = (name, random) => {
  const parts = words(name);
  if (parts.length < 2) return undefined;
  const last = parts[parts.length - 1];
  const rest = parts.slice(0, -1).join(' ');
  return random.chance(0.5) ? `${last.toUpperCase()}, ${rest}` : `${last} ${rest}`;
};

export const dropMiddleName: Perturbation = (name, random) => {
  const parts = words(name);
  if (parts.length < 3) return undefined;
  parts.splice(random.int(1, parts.length - 2), 1);
  return parts.join(' ');
};

export const initials: Perturbation = (name) => {
  const parts = words(name);
  if (parts.length < 3 && !(parts.length === 2 && parts[1].length >= 7)) return undefined;
  return [`${parts[0][0]}.`, ...parts.slice(1)].join(' ');
};

export const romanise: Perturbation = (name, random) =>
  perturbOneWord(name, random, (word) => {
    const applicable = ROMANISATION_RULES.filter(([pattern]) => pattern.test(word));
    if (applicable.length === 0) return undefined;
    const [pattern, replacement] = random.pick(applicable);
    return word.replace(pattern, replacement);
  });

/**
 * Spellings a Cyrillic-script source would not produce letter by letter (Western "c", "w", "th",
 * "ee", a lone "h"...): such names are written phonetically in Cyrillic, which this simple
 * mapping cannot do.
 */
const NOT_FROM_CYRILLIC = /c(?!h)|q|w|x|j|th|ee|oo|ea|ou|ph|(?<![kzcs])h/;

export const toCyrillic: Perturbation = (name) => {
  let rest = name.toLowerCase();
  if (NOT_FROM_CYRILLIC.test(rest)) return undefined;
  let out = '';
  while (rest.length > 0) {
    const rule = CYRILLIC.find(([latin]) => rest.startsWith(latin));
    // "y" is a consonant (й) at the start of a word or after a vowel, a vowel (ы) elsewhere.
    const afterVowel = out === '' || /[\sаеиоуыэюяё]$/.test(out);
    out += rule?.[0] === 'y' && afterVowel ? 'й' : rule ? rule[1] : rest[0];
    rest = rest.slice(rule ? rule[0].length : 1);
  }
  return out.replace(/(^|\s)(\S)/g, (_, space: string, letter: string) => space + letter.toUpperCase());
};

export const addAccents: Perturbation = (name, random) => {
  const positions = [...name].map((char, i) => (ACCENTED[char] ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return undefined;
  const at = random.pick(positions);
  return name.slice(0, at) + ACCENTED[name[at]] + name.slice(at + 1);
};

export const PERTURBATIONS: Record<string, Perturbation> = {
  typo, swapTokens, dropMiddleName, initials, romanise, toCyrillic, addAccents,
};
