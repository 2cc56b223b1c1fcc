/**
 * A large, deterministic, entirely invented watchlist for benchmarks: the real lists are too
 * big to ship and change daily, and a benchmark must measure the same thing every run.
 */
import type { WatchlistEntry } from '../watchlist/watchlist-entry';
import { capitalise, inventName, inventStem, type InventedName } from './invented-names';
import { ORGANISATION_FORMS, ORGANISATION_WORDS } from './name-pools';
import { romanise, swapTokens, toCyrillic, dropMiddleName } from './name-perturbations';
import { RankedPool } from './ranked-pool';
import { SeededRandom } from './seeded-random';

export interface SyntheticWatchlistOptions {
  count: number;
  seed?: number;
  list?: string;
}

/** Lists name companies, vessels and other organisations beside people; a quarter is assumed here. */
const ORGANISATION_SHARE = 0.25;
const ALIAS_RATE = 0.3;
const sectorWords = new RankedPool(ORGANISATION_WORDS, { exponent: 1, shift: 5 });
const DATASETS = ['synthetic-sanctions-a', 'synthetic-sanctions-b', 'synthetic-pep', 'synthetic-debarment'];

function birthDate(random: SeededRandom): string {
  const year = random.int(1940, 2002);
  if (random.chance(0.35)) return String(year);
  const month = String(random.int(1, 12)).padStart(2, '0');
  const day = String(random.int(1, 28)).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

function aliasesOf(name: InventedName, random: SeededRandom): string[] {
  if (!random.chance(ALIAS_RATE)) return [];
  const variants = [
    romanise(name.fullName, random),
    name.tradition.name === 'slavic' ? toCyrillic(name.fullName, random) : swapTokens(name.fullName, random),
    dropMiddleName(name.fullName, random),
  ].filter((alias): alias is string => alias !== undefined && alias !== name.fullName);
  return variants.slice(0, random.int(1, 2));
}

function person(index: number, random: SeededRandom, list: string): WatchlistEntry {
  const name = inventName(random);
  const letters = String.fromCharCode(65 + random.int(0, 25), 65 + random.int(0, 25));
  return {
    list,
    entityId: `syn-${String(index).padStart(6, '0')}`,
    names: [name.fullName, ...aliasesOf(name, random)],
    schema: 'Person',
    birthDates: random.chance(0.85) ? [birthDate(random)] : [],
    countries: random.chance(0.9) ? [random.pick(name.tradition.countries)] : [],
    // The index makes every number unique, as real document numbers are.
    identifiers: random.chance(0.25) ? [`${letters}${String(index).padStart(7, '0')}`] : [],
    datasets: [random.pick(DATASETS)],
  };
}

/**
 * A company is named after a founder, or (more often) after an invented brand, with one or two
 * sector words and a legal form: "Voltrex Shipping LLC", "Karimov Metals Trading OOO".
 */
function organisation(index: number, random: SeededRandom, list: string): WatchlistEntry {
  const founder = inventName(random);
  // A bare surname ("Wang LLC") names no company; a founder's name always comes with a sector.
  const byFounder = !founder.tradition.familyNames && random.chance(0.35);
  const words = [byFounder ? founder.surname : inventStem(random, founder.tradition)];
  const sectors = random.next();
  if (byFounder || sectors < 0.85) words.push(sectors < 0.3 ? `${sectorWords.pick(random)} ${sectorWords.pick(random)}` : sectorWords.pick(random));
  words.push(random.pick(ORGANISATION_FORMS));
  return {
    list,
    entityId: `syn-${String(index).padStart(6, '0')}`,
    names: [capitalise(words.join(' '))],
    schema: 'Organization',
    birthDates: [],
    countries: [random.pick(founder.tradition.countries)],
    identifiers: [],
    datasets: [random.pick(DATASETS)],
  };
}

/** The entries one at a time, so a list of millions can be written to disk without holding it. */
export function* syntheticWatchlistEntries(options: SyntheticWatchlistOptions): Generator<WatchlistEntry> {
  const random = new SeededRandom(options.seed ?? 1);
  const list = options.list ?? 'synthetic';
  for (let i = 0; i < options.count; i++) {
    yield random.chance(ORGANISATION_SHARE) ? organisation(i, random, list) : person(i, random, list);
  }
}

export function generateSyntheticWatchlist(options: SyntheticWatchlistOptions): WatchlistEntry[] {
  return Array.from(syntheticWatchlistEntries(options));
}
