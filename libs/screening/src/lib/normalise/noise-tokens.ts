/**
 * Tokens that say something about a person's role or a company's legal form, not who they are.
 * Lists write them inconsistently ("Sheikh Khalid", "Gen. Khalid"), so they are dropped before
 * comparing names.
 */
const HONORIFICS = [
  'mr', 'mrs', 'ms', 'miss', 'mx', 'mister', 'madam', 'madame', 'mme', 'mlle', 'herr', 'frau',
  'sir', 'dame', 'lord', 'lady', 'dr', 'doctor', 'prof', 'professor', 'eng', 'engineer', 'phd',
  'esq', 'hon', 'honourable', 'honorable', 'rev', 'reverend', 'fr', 'father',
  'sheikh', 'shaikh', 'sheik', 'shaykh', 'haji', 'hajji', 'hadji', 'hajj', 'imam', 'mullah', 'mulla',
  'mufti', 'maulana', 'mawlana', 'ayatollah', 'hojatoleslam', 'emir',
  'general', 'gen', 'colonel', 'col', 'major', 'maj', 'captain', 'capt', 'lieutenant', 'lt',
  'sergeant', 'sgt', 'admiral', 'adm', 'brigadier', 'commander', 'cmdr', 'marshal',
  'president', 'minister', 'senator', 'governor', 'mayor', 'ambassador', 'judge',
  'prince', 'princess', 'king', 'queen', 'jr', 'junior', 'sr', 'senior', 'ii', 'iii', 'iv',
];

/**
 * Name particles ("al-Rashidi", "bin Salman", "van der Berg") are spelled, joined and omitted so
 * inconsistently across lists that keeping them costs more matches than it prevents.
 */
const PARTICLES = [
  'al', 'el', 'ul', 'ad', 'ar', 'as', 'ash', 'at', 'az', 'bin', 'ibn', 'bint', 'ben',
  'van', 'von', 'der', 'den', 'de', 'da', 'di', 'del', 'della', 'dos', 'das', 'du', 'la', 'le',
];

const LEGAL_FORMS = [
  'ltd', 'llc', 'inc', 'corp', 'co', 'gmbh', 'ag', 'sa', 'srl', 'bv', 'nv', 'plc', 'ooo', 'oao',
  'zao', 'pao', 'jsc', 'pjsc', 'ojsc', 'cjsc', 'fze', 'fzco', 'limited', 'incorporated',
  'company', 'corporation', 'the',
];

export const NOISE_TOKENS: ReadonlySet<string> = new Set([...HONORIFICS, ...PARTICLES, ...LEGAL_FORMS]);

/** Article prefixes that some lists glue to the name ("Alrashidi") instead of hyphenating. */
export const GLUED_ARTICLES = ['al', 'el'] as const;
