/**
 * Countries arrive as ISO codes (OpenSanctions: `ua`), English names (OFAC remarks: `nationality
 * Ukraine`) or fictitious names in test lists. They are compared as ISO alpha-2 codes where one is
 * known, otherwise as the folded name.
 */
import { toLatinScript } from './script-transliteration';

/** Names some lists use that differ from the CLDR English display name. */
const EXTRA_NAMES: Record<string, string> = {
  'russian federation': 'ru',
  'united states of america': 'us',
  usa: 'us',
  'great britain': 'gb',
  'united kingdom of great britain and northern ireland': 'gb',
  uk: 'gb',
  'iran islamic republic of': 'ir',
  'north korea': 'kp',
  'korea north': 'kp',
  'democratic peoples republic of korea': 'kp',
  'south korea': 'kr',
  'korea south': 'kr',
  'syrian arab republic': 'sy',
  'burma': 'mm',
  'ivory coast': 'ci',
  'czech republic': 'cz',
};

let namesToCodes: Map<string, string> | undefined;

function foldCountryName(value: string): string {
  return toLatinScript(value).toLowerCase().replace(/['’]/g, '').replace(/[^a-z]+/g, ' ').trim();
}

/** Built from the runtime's CLDR data rather than a hand-kept table. */
function countryNames(): Map<string, string> {
  if (namesToCodes) return namesToCodes;
  namesToCodes = new Map(Object.entries(EXTRA_NAMES));
  const display = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let first = 65; first <= 90; first++) {
    for (let second = 65; second <= 90; second++) {
      const code = String.fromCharCode(first, second);
      const name = display.of(code);
      if (name && name !== code) namesToCodes.set(foldCountryName(name), code.toLowerCase());
    }
  }
  return namesToCodes;
}

/** `UA`, `ua`, `Ukraine` -> `ua`; `Ruritania` -> `ruritania`; blank -> undefined. */
export function normaliseCountry(value: string): string | undefined {
  const folded = foldCountryName(value);
  if (folded.length === 0) return undefined;
  if (/^[a-z]{2}$/.test(folded)) return folded;
  return countryNames().get(folded) ?? folded;
}
