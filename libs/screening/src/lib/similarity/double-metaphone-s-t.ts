/**
 * Double Metaphone rules for the sibilants and their neighbours (J, S, T, W, X, Z), where
 * transliterated names differ most: `sch`/`sh`, `tch`, `wicz`, pinyin `zh`, Spanish `j`.
 */
import type { PhoneticWord } from './phonetic-word';

export function encodeJ(w: PhoneticWord): void {
  const at = w.position;
  if (w.has(at, 'JOSE') || w.startsWith('SAN ')) {
    const spanish = (at === 0 && w.charAt(at + 4) === ' ') || w.startsWith('SAN ');
    return spanish ? w.emit('H', 'H', 1) : w.emit('J', 'H', 1);
  }
  if (at === 0) w.add('J', 'A');
  else if (w.isVowel(at - 1) && !w.slavoGermanic && w.has(at + 1, 'A', 'O')) w.add('J', 'H');
  else if (at === w.last) w.add('J', '');
  else if (!w.has(at + 1, 'L', 'T', 'K', 'S', 'N', 'M', 'B', 'Z') && !w.has(at - 1, 'S', 'K', 'L')) {
    w.add('J');
  }
  w.position += w.charAt(at + 1) === 'J' ? 2 : 1;
}

export function encodeS(w: PhoneticWord): void {
  const at = w.position;
  if (w.has(at - 1, 'ISL', 'YSL')) return w.emit('', '', 1);
  if (at === 0 && w.has(at, 'SUGAR')) return w.emit('X', 'S', 1);
  if (w.has(at, 'SH')) {
    return w.has(at + 1, 'HEIM', 'HOEK', 'HOLM', 'HOLZ') ? w.emit('S', 'S', 2) : w.emit('X', 'X', 2);
  }
  if (w.has(at, 'SIO', 'SIA')) return w.slavoGermanic ? w.emit('S', 'S', 3) : w.emit('S', 'X', 3);
  if ((at === 0 && w.has(at + 1, 'M', 'N', 'L', 'W')) || w.has(at + 1, 'Z')) {
    return w.emit('S', 'X', w.has(at + 1, 'Z') ? 2 : 1);
  }
  if (w.has(at, 'SC')) return encodeSc(w, at);
  if (at === w.last && w.has(at - 2, 'AI', 'OI')) w.add('', 'S');
  else w.add('S');
  w.position += w.has(at + 1, 'S', 'Z') ? 2 : 1;
}

function encodeSc(w: PhoneticWord, at: number): void {
  if (w.charAt(at + 2) === 'H') {
    if (w.has(at + 3, 'OO', 'ER', 'EN', 'UY', 'ED', 'EM')) {
      return w.has(at + 3, 'ER', 'EN') ? w.emit('X', 'SK', 3) : w.emit('SK', 'SK', 3);
    }
    const initialBeforeConsonant = at === 0 && !w.isVowel(3) && w.charAt(3) !== 'W';
    return initialBeforeConsonant ? w.emit('X', 'S', 3) : w.emit('X', 'X', 3);
  }
  if (w.has(at + 2, 'I', 'E', 'Y')) return w.emit('S', 'S', 3);
  w.emit('SK', 'SK', 3);
}

export function encodeT(w: PhoneticWord): void {
  const at = w.position;
  if (w.has(at, 'TION')) return w.emit('X', 'X', 3);
  if (w.has(at, 'TIA', 'TCH')) return w.emit('X', 'X', 3);
  if (w.has(at, 'TH') || w.has(at, 'TTH')) {
    const hard = w.has(at + 2, 'OM', 'AM') || w.germanic;
    return hard ? w.emit('T', 'T', 2) : w.emit('0', 'T', 2);
  }
  w.emit('T', 'T', w.has(at + 1, 'T', 'D') ? 2 : 1);
}

export function encodeW(w: PhoneticWord): void {
  const at = w.position;
  if (w.has(at, 'WR')) return w.emit('R', 'R', 2);
  if (at === 0 && (w.isVowel(at + 1) || w.has(at, 'WH'))) {
    // Wasserman should match Vasserman; Uomo should match Womo.
    if (w.isVowel(at + 1)) w.add('A', 'F');
    else w.add('A', 'A');
  }
  const fricative =
    (at === w.last && w.isVowel(at - 1)) ||
    w.has(at - 1, 'EWSKI', 'EWSKY', 'OWSKI', 'OWSKY') ||
    w.startsWith('SCH');
  if (fricative) return w.emit('', 'F', 1);
  if (w.has(at, 'WICZ', 'WITZ')) return w.emit('TS', 'FX', 4);
  w.position += 1;
}

export function encodeX(w: PhoneticWord): void {
  const at = w.position;
  const frenchSilent = at === w.last && (w.has(at - 3, 'IAU', 'EAU') || w.has(at - 2, 'AU', 'OU'));
  if (!frenchSilent) w.add('KS');
  w.position += w.has(at + 1, 'C', 'X') ? 2 : 1;
}

export function encodeZ(w: PhoneticWord): void {
  const at = w.position;
  if (w.charAt(at + 1) === 'H') return w.emit('J', 'J', 2);
  const voicedTs =
    w.has(at + 1, 'ZO', 'ZI', 'ZA') || (w.slavoGermanic && at > 0 && w.charAt(at - 1) !== 'T');
  if (voicedTs) w.add('S', 'TS');
  else w.add('S');
  w.position += w.charAt(at + 1) === 'Z' ? 2 : 1;
}
