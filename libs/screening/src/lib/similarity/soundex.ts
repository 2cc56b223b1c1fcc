/**
 * American Soundex (as used by the US census): first letter plus three digits. Coarse, but it is
 * the phonetic key compliance analysts know, so it is exposed next to Double Metaphone.
 */
const CODES: Record<string, string> = {
  b: '1', f: '1', p: '1', v: '1',
  c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
  d: '3', t: '3',
  l: '4',
  m: '5', n: '5',
  r: '6',
};

export function soundex(word: string): string {
  const letters = word.toLowerCase().replace(/[^a-z]/g, '');
  if (letters.length === 0) return '';
  let key = letters[0].toUpperCase();
  let previous = CODES[letters[0]] ?? '';
  for (let i = 1; i < letters.length && key.length < 4; i++) {
    const letter = letters[i];
    const code = CODES[letter];
    if (code !== undefined && code !== previous) key += code;
    // H and W do not separate equal codes; vowels do (Ashcraft -> A261, Tymczak -> T522).
    if (letter !== 'h' && letter !== 'w') previous = code ?? '';
  }
  return key.padEnd(4, '0');
}
