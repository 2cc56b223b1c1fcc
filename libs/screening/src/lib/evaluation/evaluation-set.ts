/**
 * Queries with known answers for measuring the screener: names taken from the list and perturbed
 * the way real data differs from list data, plus invented names that are on no list. Recall and
 * precision come from comparing hits with `expected`.
 */
import { normaliseName } from '../normalise/name-normaliser';
import type { ScreeningQuery } from '../screening/screening-result';
import type { WatchlistEntry } from '../watchlist/watchlist-entry';
import { inventName } from './invented-names';
import { NAME_TRADITIONS } from './name-pools';
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
}

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

function inventedCase(random: SeededRandom, listed: ReadonlySet<string>): EvaluationCase {
  let name = inventName(random);
  while (listed.has(normaliseName(name.fullName))) name = inventName(random);
  const query: ScreeningQuery = { fullName: name.fullName };
  if (random.chance(0.5)) query.dateOfBirth = `${random.int(1940, 2002)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
  if (random.chance(0.5)) query.nationality = random.pick(random.pick(NAME_TRADITIONS).countries);
  return { query, perturbations: [] };
}

export function generateEvaluationSet(entries: readonly WatchlistEntry[], options: EvaluationSetOptions): EvaluationCase[] {
  if (entries.length === 0) throw new RangeError('an evaluation set needs at least one list entry');
  const random = new SeededRandom(options.seed);
  const listed = new Set(entries.flatMap((entry) => entry.names.map(normaliseName)));
  const cases: EvaluationCase[] = [];
  for (let i = 0; i < options.count; i++) {
    const invented = random.chance(options.nonMatchingShare ?? 0.3);
    cases.push(invented ? inventedCase(random, listed) : perturbedCase(random.pick(entries), random));
  }
  return cases;
}
