/**
 * The one place a raw name becomes comparable tokens; the loader, the index and the screener all
 * go through it so list entries and queries are normalised identically.
 */
import { isNoiseToken } from './noise-tokens';
import { toLatinScript } from './script-transliteration';

/** Entities can have very long names; beyond this many tokens extra words add cost, not signal. */
export const MAX_NAME_TOKENS = 8;

const APOSTROPHES = /['’‘`ʻʼ´]/g;
const SEPARATORS = /[^a-z0-9]+/g;

export function nameTokens(raw: string): string[] {
  const text = toLatinScript(raw).toLowerCase().replace(APOSTROPHES, '').replace(SEPARATORS, ' ');
  const tokens = text.split(' ').filter((token) => token.length > 0);
  const meaningful = tokens.filter((token) => !isNoiseToken(token));
  // A name made only of noise words ("The Company") is still a name: keep what there is.
  return (meaningful.length > 0 ? meaningful : tokens).slice(0, MAX_NAME_TOKENS);
}

/** Lower-case ASCII tokens joined by single spaces: "Dr. José al-Núñez" -> "jose nunez". */
export function normaliseName(raw: string): string {
  return nameTokens(raw).join(' ');
}
