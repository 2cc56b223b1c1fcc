/**
 * Queries with known answers for measuring the screener: names taken from the list and perturbed
 * the way real data differs from list data, plus invented names that are on no list and not within
 * a perturbation of any listed name (ListedNameNeighbourhood). Recall and precision come from
 * comparing hits with `expected` (evaluation-scoring.ts).
 */
import type { ScreeningQuery } from '../screening/screening-result';
import type { WatchlistEntry } from '../watchlist/watchlist-entry';
import type { WatchlistIndex } from '../watchlist/watchlist-index';
import { inventName } from './invented-names';
import { NAME_TRADITIONS } from './name-pools';
import { ListedNameNeighbourhood } from './near-listed-names';
import { PERTURBATIONS } from './name-perturbations';
import { SeededRandom } from './seeded-random';

export interface EvaluationCase {
  query: ScreeningQuery;
  /** The entry the query was derived from; undefined for a name on no list. */
  expected?: { list: string; entityId: string };
  /** Names of the perturbations applied, in order (empty for invented names). */
  perturbations: string[];
}

export interface EvaluationSetOptions {
  seed: number;
  count: number;
  /** Share of queries that are invented names on no list (default 0.3). */
  nonMatchingShare?: number;
  /** Told of each invented name turned down for being near a listed one (for the bench's figures). */
  onNegativeRejected?: (fullName: string, listedName: string) => void;
  /** Told of each perturbed name turned down for being exactly another entry's listed name. */
  onListedRedrawn?: (fullName: string, listedName: string) => void;
}

/** Perturbations tried per listed case before taking another entry. */
const MAX_LISTED_ATTEMPTS = 5;

/** Names tried per case before giving up: a list would have to cover the name space. */
const MAX_NEGATIVE_ATTEMPTS = 1_000;

/** Perturbations a query is built from; the bench reports the mix through `perturbations`. */
const PERTURBATION_NAMES = Object.keys(PERTURBATIONS);

/** Initials and middle names belong to people's names, not company names. */
const PERSON_ONLY = new Set(['initials', 'dropMiddleName']);
/** Initials abbreviate the given name, so they only apply to the name in its listed order. */
const FIRST_ONLY = new Set(['initials']);

function perturbedCase(entry: WatchlistEntry, random: SeededRandom): EvaluationCase {
  let fullName = entry.names[0];
  const applied: string[] = [];
  const wanted = random.chance(0.3) ? 2 : 1;
  const isPerson = /^(person|individual)$/i.test(entry.schema);
  const usable = PERTURBATION_NAMES.filter((name) => isPerson || !PERSON_ONLY.has(name));
  for (let attempt = 0; attempt < 10 && applied.length < wanted; attempt++) {
    const name = random.pick(usable.filter((n) => !applied.includes(n) && !(applied.length > 0 && FIRST_ONLY.has(n))));
    const changed = PERTURBATIONS[name](fullName, random);
    if (changed === undefined) continue;
    fullName = changed;
    applied.push(name);
  }
  const query: ScreeningQuery = { fullName };
  const dob = entry.birthDates[0];
  if (dob && random.chance(0.5)) query.dateOfBirth = random.chance(0.2) ? dob.slice(0, 4) : dob;
  if (entry.countries[0] && random.chance(0.5)) query.nationality = entry.countries[0];
  return { query, expected: { list: entry.list, entityId: entry.entityId }, perturbations: applied };
}

/**
 * A perturbation that turns the name into exactly another entry's listed name ("Dmitri Maksimovich
 * Svizdiov" without the patronymic is the listed "Dmitri Svizdiov") asks the screener to prefer a
 * less alike name over an identical one: such a perturbation is drawn again. A perturbation that
 * leaves the entry's own name (an accent, another order) is kept even when a namesake shares it.
 */
function listedCase(index: WatchlistIndex, random: SeededRandom, near: ListedNameNeighbourhood, options: EvaluationSetOptions): EvaluationCase {
  for (let entries = 0; entries < MAX_NEGATIVE_ATTEMPTS; entries++) {
    const entryIndex = random.int(0, index.size - 1);
    const entry = index.entry(entryIndex).entry;
    for (let attempt = 0; attempt < MAX_LISTED_ATTEMPTS; attempt++) {
      const candidate = perturbedCase(entry, random);
      // Still one of the entry's own names (accents, another script, another order): a namesake
      // elsewhere is a tie, which the scoring deals with.
      if (near.isOneOf(candidate.query.fullName, entry.names)) return candidate;
      const elsewhere = near.sameNameElsewhere(candidate.query.fullName, entryIndex);
      if (elsewhere === undefined) return candidate;
      options.onListedRedrawn?.(candidate.query.fullName, elsewhere);
    }
  }
  throw new Error('every perturbed name drawn is another entry\'s listed name');
}

function inventedCase(random: SeededRandom, near: ListedNameNeighbourhood, options: EvaluationSetOptions): EvaluationCase {
  let name = inventName(random);
  for (let attempt = 1; ; attempt++) {
    const listed = near.nearestListed(name.fullName);
    if (listed === undefined) break;
    if (attempt >= MAX_NEGATIVE_ATTEMPTS) throw new Error(`no unlisted name found in ${MAX_NEGATIVE_ATTEMPTS} attempts`);
    options.onNegativeRejected?.(name.fullName, listed);
    name = inventName(random);
  }
  const query: ScreeningQuery = { fullName: name.fullName };
  if (random.chance(0.5)) query.dateOfBirth = `${random.int(1940, 2002)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
  if (random.chance(0.5)) query.nationality = random.pick(random.pick(NAME_TRADITIONS).countries);
  return { query, perturbations: [] };
}

/** Cases drawn from the entries of `index` (the list as loaded), deterministically by seed. */
export function generateEvaluationSet(index: WatchlistIndex, options: EvaluationSetOptions): EvaluationCase[] {
  if (index.size === 0) throw new RangeError('an evaluation set needs at least one list entry');
  const random = new SeededRandom(options.seed);
  const near = new ListedNameNeighbourhood(index);
  const cases: EvaluationCase[] = [];
  for (let i = 0; i < options.count; i++) {
    const invented = random.chance(options.nonMatchingShare ?? 0.3);
    cases.push(invented ? inventedCase(random, near, options) : listedCase(index, random, near, options));
  }
  return cases;
}
