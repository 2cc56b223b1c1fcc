/**
 * Jaro-Winkler similarity in [0, 1].
 *
 * Written for the screening hot path: it runs for every token pair of every candidate, so it keeps
 * its scratch buffers between calls instead of allocating per comparison.
 */
const WINKLER_PREFIX_SCALE = 0.1;
const WINKLER_MAX_PREFIX = 4;
/** Winkler's boost only applies to strings that are already similar (his original cut-off). */
const WINKLER_BOOST_THRESHOLD = 0.7;

/** Which characters are matched, marked with this call's stamp so nothing needs clearing. */
let matchedA = new Uint32Array(64);
let matchedB = new Uint32Array(64);
let stamp = 0;

function nextStamp(lengthA: number, lengthB: number): number {
  if (matchedA.length < lengthA) matchedA = new Uint32Array(lengthA * 2);
  if (matchedB.length < lengthB) matchedB = new Uint32Array(lengthB * 2);
  if (stamp === 0xffffffff) {
    matchedA.fill(0);
    matchedB.fill(0);
    stamp = 0;
  }
  return ++stamp;
}

export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  // Greedy matching depends on which side scans; fixing the order makes the measure symmetric.
  if (a.length > b.length || (a.length === b.length && a > b)) {
    const shorter = b;
    b = a;
    a = shorter;
  }
  const window = Math.max(0, (b.length >> 1) - 1);
  const mark = nextStamp(a.length, b.length);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(b.length - 1, i + window);
    const code = a.charCodeAt(i);
    for (let j = from; j <= to; j++) {
      if (matchedB[j] !== mark && b.charCodeAt(j) === code) {
        matchedA[i] = mark;
        matchedB[j] = mark;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  for (let i = 0, j = 0; i < a.length; i++) {
    if (matchedA[i] !== mark) continue;
    while (matchedB[j] !== mark) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) halfTranspositions++;
    j++;
  }
  const m = matches;
  return (m / a.length + m / b.length + (m - halfTranspositions / 2) / m) / 3;
}

export function jaroWinkler(a: string, b: string): number {
  const similarity = jaro(a, b);
  if (similarity < WINKLER_BOOST_THRESHOLD) return similarity;
  const limit = Math.min(WINKLER_MAX_PREFIX, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return similarity + prefix * WINKLER_PREFIX_SCALE * (1 - similarity);
}
