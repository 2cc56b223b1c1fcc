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

/**
 * Legal forms long or odd enough that one slip in them ("Corpoartion", "Compani", "Limitad",
 * "Korporation", "Pdjsc") still cannot be anything but the legal form. Short ones ("co", "sa",
 * "corp", "fzco") are left out: one letter away from them are real name tokens ("Cork", "Fico").
 */
const SPELT_OUT_LEGAL_FORMS = ['limited', 'incorporated', 'company', 'corporation'];
/** Consonant-cluster abbreviations: a letter more or two letters swapped is still no name. */
const ABBREVIATED_LEGAL_FORMS = ['gmbh', 'pjsc', 'ojsc', 'cjsc'];
const TOKEN_LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

function oneSlipFrom(form: string, substitutions: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i <= form.length; i++) {
    for (const letter of TOKEN_LETTERS) {
      out.push(form.slice(0, i) + letter + form.slice(i));
      if (substitutions && i < form.length) out.push(form.slice(0, i) + letter + form.slice(i + 1));
    }
    if (substitutions && i < form.length) out.push(form.slice(0, i) + form.slice(i + 1));
    if (i + 1 < form.length) out.push(form.slice(0, i) + form[i + 1] + form[i] + form.slice(i + 2));
  }
  return out;
}

/** Every token one typing slip from a legal form in the lists above (a few thousand strings). */
const LEGAL_FORM_SLIPS: ReadonlySet<string> = new Set([
  ...SPELT_OUT_LEGAL_FORMS.flatMap((form) => oneSlipFrom(form, true)),
  ...ABBREVIATED_LEGAL_FORMS.flatMap((form) => oneSlipFrom(form, false)),
]);

/** A token that says nothing about who the party is: a title, a particle or a legal form, misspelt or not. */
export function isNoiseToken(token: string): boolean {
  return NOISE_TOKENS.has(token) || LEGAL_FORM_SLIPS.has(token);
}

/** Article prefixes that some lists glue to the name ("Alrashidi") instead of hyphenating. */
export const GLUED_ARTICLES = ['al', 'el'] as const;
