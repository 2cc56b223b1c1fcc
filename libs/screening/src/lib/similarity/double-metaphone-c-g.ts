/**
 * Double Metaphone rules for C and G, the two letters whose sound depends most on the language a
 * name comes from (Italian `cci`, Greek `ch`, Germanic `gh`...). Follows Lawrence Philips' original.
 */
import type { PhoneticWord } from './phonetic-word';

export function encodeC(w: PhoneticWord): void {
  const at = w.position;
  const germanicAch =
    at > 1 && !w.isVowel(at - 2) && w.has(at - 1, 'ACH') && w.charAt(at + 2) !== 'I' &&
    (w.charAt(at + 2) !== 'E' || w.has(at - 2, 'BACHER', 'MACHER'));
  if (germanicAch) return w.emit('K', 'K', 2);
  if (at === 0 && w.has(at, 'CAESAR')) return w.emit('S', 'S', 2);
  if (w.has(at, 'CHIA')) return w.emit('K', 'K', 2);
  if (w.has(at, 'CH')) return encodeCh(w, at);
  if (w.has(at, 'CZ') && !w.has(at - 2, 'WICZ')) return w.emit('S', 'X', 2);
  if (w.has(at + 1, 'CIA')) return w.emit('X', 'X', 3);
  if (w.has(at, 'CC') && !(at === 1 && w.charAt(0) === 'M')) return encodeDoubleC(w, at);
  if (w.has(at, 'CK', 'CG', 'CQ')) return w.emit('K', 'K', 2);
  if (w.has(at, 'CI', 'CE', 'CY')) {
    return w.has(at, 'CIO', 'CIE', 'CIA') ? w.emit('S', 'X', 2) : w.emit('S', 'S', 2);
  }
  w.add('K');
  if (w.has(at + 1, ' C', ' Q', ' G')) w.position += 3;
  else if (w.has(at + 1, 'C', 'K', 'Q') && !w.has(at + 1, 'CE', 'CI')) w.position += 2;
  else w.position += 1;
}

function encodeCh(w: PhoneticWord, at: number): void {
  if (at > 0 && w.has(at, 'CHAE')) return w.emit('K', 'X', 2);
  const greekInitial =
    at === 0 && (w.has(at + 1, 'HARAC', 'HARIS') || w.has(at + 1, 'HOR', 'HYM', 'HIA', 'HEM')) &&
    !w.startsWith('CHORE');
  if (greekInitial) return w.emit('K', 'K', 2);
  const hardCh =
    w.germanic ||
    w.has(at - 2, 'ORCHES', 'ARCHIT', 'ORCHID') ||
    w.has(at + 2, 'T', 'S') ||
    ((w.has(at - 1, 'A', 'O', 'U', 'E') || at === 0) &&
      w.has(at + 2, 'L', 'R', 'N', 'M', 'B', 'H', 'F', 'V', 'W', ' '));
  if (hardCh) return w.emit('K', 'K', 2);
  if (at === 0) return w.emit('X', 'X', 2);
  return w.startsWith('MC') ? w.emit('K', 'K', 2) : w.emit('X', 'K', 2);
}

function encodeDoubleC(w: PhoneticWord, at: number): void {
  if (w.has(at + 2, 'I', 'E', 'H') && !w.has(at + 2, 'HU')) {
    const hardSoft = (at === 1 && w.charAt(at - 1) === 'A') || w.has(at - 1, 'UCCEE', 'UCCES');
    return hardSoft ? w.emit('KS', 'KS', 3) : w.emit('X', 'X', 3);
  }
  w.emit('K', 'K', 2);
}

export function encodeG(w: PhoneticWord): void {
  const at = w.position;
  if (w.charAt(at + 1) === 'H') return encodeGh(w, at);
  if (w.charAt(at + 1) === 'N') return encodeGn(w, at);
  if (w.has(at + 1, 'LI') && !w.slavoGermanic) return w.emit('KL', 'L', 2);
  const initialSoftOrHard =
    at === 0 &&
    (w.charAt(at + 1) === 'Y' ||
      w.has(at + 1, 'ES', 'EP', 'EB', 'EL', 'EY', 'IB', 'IL', 'IN', 'IE', 'EI', 'ER'));
  if (initialSoftOrHard) return w.emit('K', 'J', 2);
  const gerOrGy =
    (w.has(at + 1, 'ER') || w.charAt(at + 1) === 'Y') &&
    !w.startsWith('DANGER', 'RANGER', 'MANGER') &&
    !w.has(at - 1, 'E', 'I') &&
    !w.has(at - 1, 'RGY', 'OGY');
  if (gerOrGy) return w.emit('K', 'J', 2);
  if (w.has(at + 1, 'E', 'I', 'Y') || w.has(at - 1, 'AGGI', 'OGGI')) {
    if (w.germanic || w.has(at + 1, 'ET')) return w.emit('K', 'K', 2);
    return w.has(at + 1, 'IER ') ? w.emit('J', 'J', 2) : w.emit('J', 'K', 2);
  }
  w.emit('K', 'K', w.charAt(at + 1) === 'G' ? 2 : 1);
}

function encodeGh(w: PhoneticWord, at: number): void {
  if (at > 0 && !w.isVowel(at - 1)) return w.emit('K', 'K', 2);
  if (at === 0) return w.charAt(at + 2) === 'I' ? w.emit('J', 'J', 2) : w.emit('K', 'K', 2);
  // Parker's rule: silent in `hugh`, `bough`, `broughton`.
  const silent =
    (at > 1 && w.has(at - 2, 'B', 'H', 'D')) ||
    (at > 2 && w.has(at - 3, 'B', 'H', 'D')) ||
    (at > 3 && w.has(at - 4, 'B', 'H'));
  if (silent) return w.emit('', '', 2);
  if (at > 2 && w.charAt(at - 1) === 'U' && w.has(at - 3, 'C', 'G', 'L', 'R', 'T')) {
    return w.emit('F', 'F', 2);
  }
  if (at > 0 && w.charAt(at - 1) !== 'I') return w.emit('K', 'K', 2);
  w.position += 2;
}

function encodeGn(w: PhoneticWord, at: number): void {
  if (at === 1 && w.isVowel(0) && !w.slavoGermanic) return w.emit('KN', 'N', 2);
  if (!w.has(at + 2, 'EY') && w.charAt(at + 1) !== 'Y' && !w.slavoGermanic) {
    return w.emit('N', 'KN', 2);
  }
  w.emit('KN', 'KN', 2);
}
