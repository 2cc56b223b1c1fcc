/**
 * Invents plausible-looking full names from the name traditions: the raw material both for
 * synthetic watchlists and for the "not on any list" queries of an evaluation set.
 */
import { NAME_TRADITIONS, type NameTradition } from './name-pools';
import type { SeededRandom } from './seeded-random';

export interface InventedName {
  tradition: NameTradition;
  given: string;
  middle?: string;
  surname: string;
  fullName: string;
}

export function capitalise(text: string): string {
  return text.replace(/(^|[\s-])([a-z])/g, (_, separator: string, letter: string) => separator + letter.toUpperCase());
}

function syllable(random: SeededRandom, tradition: NameTradition): string {
  return random.pick(tradition.onsets) + random.pick(tradition.vowels) + random.pick(tradition.codas);
}

function inventSurname(random: SeededRandom, tradition: NameTradition): string {
  if (tradition.familyNames) return random.pick(tradition.familyNames);
  const surname = syllable(random, tradition) + syllable(random, tradition) + random.pick(tradition.endings);
  if (tradition.name === 'arabic' && random.chance(0.5)) return `al-${surname}`;
  if (tradition.name === 'hispanic' && random.chance(0.6)) return `${surname} ${inventSurname(random, { ...tradition, name: '' })}`;
  return surname;
}

/** A tradition chosen in proportion to its share of the list. */
export function pickTradition(random: SeededRandom): NameTradition {
  let remaining = random.next() * NAME_TRADITIONS.reduce((sum, t) => sum + t.share, 0);
  for (const tradition of NAME_TRADITIONS) {
    remaining -= tradition.share;
    if (remaining < 0) return tradition;
  }
  return NAME_TRADITIONS[NAME_TRADITIONS.length - 1];
}

function inventGivenName(random: SeededRandom, tradition: NameTradition): string {
  if (tradition.name !== 'chinese') return random.pick(tradition.givenNames);
  const first = random.pick(tradition.givenNames);
  let second = random.pick(tradition.givenNames);
  while (second === first) second = random.pick(tradition.givenNames);
  return first + second;
}

function inventMiddleName(random: SeededRandom, tradition: NameTradition): string | undefined {
  if (!random.chance(tradition.middleNameRate)) return undefined;
  const other = random.pick(tradition.givenNames);
  return tradition.name === 'slavic' ? `${other.replace(/[aeiouy]$/, '')}ovich` : other;
}

export function inventName(random: SeededRandom, tradition = pickTradition(random)): InventedName {
  const given = inventGivenName(random, tradition);
  const middle = inventMiddleName(random, tradition);
  const surname = inventSurname(random, tradition);
  // Chinese names put the family name first.
  const parts = tradition.name === 'chinese' ? [surname, given] : [given, middle, surname];
  const fullName = capitalise(parts.filter((part): part is string => !!part).join(' '));
  return { tradition, given, middle, surname, fullName };
}
