/**
 * Whether a name is within reach of the evaluation's perturbations from a listed name: the test a
 * "not on any list" query must fail. A name one or two letters from a listed one, the same tokens
 * in another order, or a listed name with one token more or less, is exactly what a listed person's
 * name looks like on a form with a slip in it; flagging it is the screener doing its job, so such a
 * name cannot serve as a negative.
 *
 * The test is on normalised tokens and edit distance only, never on the screener's score: a
 * negative chosen as "what the screener does not flag" would measure nothing.
 */
import { nameTokens } from '../normalise/name-normaliser';
import type { WatchlistIndex } from '../watchlist/watchlist-index';

/** A typo changes one letter, a romanisation rule up to two ("ks" -> "x"): two edits in all. */
export const NEAR_EDIT_DISTANCE = 2;
/** Listed names compared per candidate, best first by the index's token blocking. */
const NEIGHBOURS_COMPARED = 60;

/**
 * Optimal-string-alignment distance (an adjacent swap is one edit, as the typo perturbation makes
 * it), given up as soon as it exceeds `max`: returns `max + 1` then.
 */
export function editDistanceWithin(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, previous2[j - 2] + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous2 = previous;
    previous = current;
  }
  return Math.min(previous[b.length], max + 1);
}

const sortedKey = (tokens: readonly string[]): string => [...tokens].sort().join(' ');

function withinEdits(a: readonly string[], b: readonly string[]): boolean {
  return (
    editDistanceWithin(a.join(' '), b.join(' '), NEAR_EDIT_DISTANCE) <= NEAR_EDIT_DISTANCE ||
    editDistanceWithin(sortedKey(a), sortedKey(b), NEAR_EDIT_DISTANCE) <= NEAR_EDIT_DISTANCE
  );
}

/**
 * Two normalised names a perturbation apart: at most two edits in order or with the tokens
 * sorted (a reordered name), or so once one token of the longer is dropped (a middle name, a
 * patronymic, a second surname left out on either side, leaving at least two tokens).
 */
export function areNearNames(a: readonly string[], b: readonly string[]): boolean {
  if (withinEdits(a, b)) return true;
  const [shorter, longer] = a.length < b.length ? [a, b] : [b, a];
  // Only a middle token goes missing: a name keeps at least a given name and a surname.
  if (longer.length !== shorter.length + 1 || shorter.length < 2) return false;
  return longer.some((_, i) => withinEdits(shorter, [...longer.slice(0, i), ...longer.slice(i + 1)]));
}

/** Finds listed names near a candidate through the index's blocking, not a scan of the list. */
export class ListedNameNeighbourhood {
  constructor(private readonly index: WatchlistIndex) {}

  /** Whether `fullName` has the tokens (in any order) of one of `names`. */
  isOneOf(fullName: string, names: readonly string[]): boolean {
    const key = sortedKey(nameTokens(fullName));
    return names.some((name) => sortedKey(nameTokens(name)) === key);
  }

  /**
   * A name of an entry other than `exceptEntry` that has exactly the tokens of `fullName` (in any
   * order): such an entry has the query's name, so the query cannot be said to be the other's.
   */
  sameNameElsewhere(fullName: string, exceptEntry: number): string | undefined {
    const key = sortedKey(nameTokens(fullName));
    const ids = this.index.candidates(this.index.prepareQuery(fullName), NEIGHBOURS_COMPARED, (entryIndex) => entryIndex !== exceptEntry);
    for (const nameId of ids) {
      const listed = this.index.nameText(nameId);
      if (sortedKey(nameTokens(listed)) === key) return listed;
    }
    return undefined;
  }

  /**
   * The first listed name near `fullName`, or undefined when the name is genuinely unlisted (a
   * name of fewer than two tokens never is: it is returned itself).
   * `exceptEntry` leaves one entry's own names out (to ask whether a listed name has a near twin).
   */
  nearestListed(fullName: string, exceptEntry = -1): string | undefined {
    const tokens = nameTokens(fullName);
    // One token left after normalising ("Du Jian" is "jian": "du" is a particle) is two edits
    // from a great many names; such a name proves nothing as a negative.
    if (tokens.length < 2) return fullName;
    const accept = (entryIndex: number): boolean => entryIndex !== exceptEntry;
    // A listed name one token shorter ranks low among names sharing a common token with the
    // query, so each one-token-shorter form of the name is looked up as well.
    const lookups = [tokens, ...(tokens.length > 1 ? tokens.map((_, i) => tokens.filter((__, j) => j !== i)) : [])];
    const compared = new Set<number>();
    for (const lookup of lookups) {
      for (const nameId of this.index.candidates(this.index.prepareQuery(lookup.join(' ')), NEIGHBOURS_COMPARED, accept)) {
        if (compared.has(nameId)) continue;
        compared.add(nameId);
        const listed = this.index.nameText(nameId);
        if (areNearNames(tokens, nameTokens(listed))) return listed;
      }
    }
    return undefined;
  }
}
