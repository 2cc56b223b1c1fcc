/**
 * Invents plausible full names from the name traditions: the raw material both for synthetic
 * watchlists and for the "not on any list" queries of an evaluation set. Given names, surnames and
 * surname endings are drawn by rank frequency (RankedPool), so names repeat as often as real ones
 * do: "Mohammed" and "Wang" are everywhere, most invented surnames are carried by a handful.
 */
import { MALE_SHARE, NAME_TRADITIONS, type NameTradition } from './name-pools';
import { inventLexicon, RankedPool } from './ranked-pool';
import { SeededRandom } from './seeded-random';

export interface InventedName {
  tradition: NameTradition;
  female: boolean;
  given: string;
  middle?: string;
  surname: string;
  fullName: string;
}

export function capitalise(text: string): string {
  return text.replace(/(^|[\s-])([a-z])/g, (_, separator: string, letter: string) => separator + letter.toUpperCase());
}

interface TraditionPools {
  male: RankedPool<string>;
  female: RankedPool<string>;
  endings: RankedPool<string>;
  /** Common surnames (or the closed set of family names), most common first. */
  surnames: RankedPool<string>;
}

/** Fixed: the lexicons are the "population" every list and evaluation set draws from. */
const LEXICON_SEED = 0x1ea1;
const ENDING_SHAPE = { exponent: 1, shift: 1 };
const pools = new Map<string, TraditionPools>();

function syllable(random: SeededRandom, tradition: NameTradition): string {
  return random.pick(tradition.onsets) + random.pick(tradition.vowels) + random.pick(tradition.codas);
}

/** One to three syllables: the stem of an invented surname or company brand. */
export function inventStem(random: SeededRandom, tradition: NameTradition): string {
  // Chinese brands join two syllables ("Zhongxing"); there is no syllable grammar for surnames.
  if (tradition.onsets.length === 0) return random.pick(tradition.maleGivenNames) + random.pick(tradition.maleGivenNames);
  const draw = random.next();
  const count = draw < 0.25 ? 1 : draw < 0.85 ? 2 : 3;
  let stem = '';
  for (let i = 0; i < count; i++) stem += syllable(random, tradition);
  return stem;
}

function poolsOf(tradition: NameTradition): TraditionPools {
  const known = pools.get(tradition.name);
  if (known) return known;
  const endings = new RankedPool(tradition.endings.length > 0 ? tradition.endings : [''], ENDING_SHAPE);
  const lexiconRandom = new SeededRandom(LEXICON_SEED + NAME_TRADITIONS.indexOf(tradition));
  const surnames = tradition.familyNames
    ? new RankedPool(tradition.familyNames, tradition.surnames.shape)
    : new RankedPool(inventLexicon(tradition.surnames.lexiconSize, lexiconRandom, (r) => inventStem(r, tradition) + endings.pick(r)), tradition.surnames.shape);
  const created: TraditionPools = {
    male: new RankedPool(tradition.maleGivenNames, tradition.givenNameShape),
    female: new RankedPool(tradition.femaleGivenNames, tradition.givenNameShape),
    endings,
    surnames,
  };
  pools.set(tradition.name, created);
  return created;
}

/** Slavic surnames agree with the bearer: Petrov / Petrova, Sokolsky / Sokolskaya. */
function feminine(surname: string): string {
  if (/(ov|ev|in|yn)$/.test(surname)) return `${surname}a`;
  if (/sky$/.test(surname)) return surname.replace(/sky$/, 'skaya');
  return surname;
}

function oneSurname(random: SeededRandom, tradition: NameTradition): string {
  const { surnames, endings } = poolsOf(tradition);
  if (random.chance(tradition.surnames.rareShare)) return inventStem(random, tradition) + endings.pick(random);
  return surnames.pick(random);
}

function inventSurname(random: SeededRandom, tradition: NameTradition, female: boolean): string {
  const surname = oneSurname(random, tradition);
  if (tradition.name === 'slavic' && female) return feminine(surname);
  if (tradition.name === 'arabic' && random.chance(0.4)) return `al-${surname}`;
  // Paternal and maternal surname.
  if (tradition.name === 'hispanic' && random.chance(0.75)) return `${surname} ${oneSurname(random, tradition)}`;
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

function inventGivenName(random: SeededRandom, tradition: NameTradition, female: boolean): string {
  const pool = female ? poolsOf(tradition).female : poolsOf(tradition).male;
  const first = pool.pick(random);
  // Most Chinese given names are two syllables, some one.
  if (tradition.name !== 'chinese' || random.chance(0.15)) return first;
  let second = pool.pick(random);
  while (second === first) second = pool.pick(random);
  return first + second;
}

function inventMiddleName(random: SeededRandom, tradition: NameTradition, female: boolean): string | undefined {
  if (!random.chance(tradition.middleNameRate)) return undefined;
  const { male } = poolsOf(tradition);
  // A patronymic, or (Arabic) the father's name itself.
  if (tradition.name === 'slavic') return `${male.pick(random).replace(/[aeiouy]$/, '')}${female ? 'ovna' : 'ovich'}`;
  if (tradition.name === 'arabic') return male.pick(random);
  return inventGivenName(random, tradition, female);
}

export function inventName(random: SeededRandom, tradition = pickTradition(random)): InventedName {
  const female = !random.chance(MALE_SHARE);
  const given = inventGivenName(random, tradition, female);
  const middle = inventMiddleName(random, tradition, female);
  const surname = inventSurname(random, tradition, female);
  // Chinese names put the family name first.
  const parts = tradition.name === 'chinese' ? [surname, given] : [given, middle, surname];
  const fullName = capitalise(parts.filter((part): part is string => !!part).join(' '));
  return { tradition, female, given, middle, surname, fullName };
}
