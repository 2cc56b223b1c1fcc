/**
 * The cursor Double Metaphone walks along a word: the letters (upper case, padded so look-ahead
 * never runs off the end), the position, and the two codes being built.
 */
export class PhoneticWord {
  readonly text: string;
  readonly length: number;
  readonly last: number;
  /** Slavic and Germanic spellings keep hard sounds that English would soften (Kowalczyk). */
  readonly slavoGermanic: boolean;
  /** `van `, `von ` and `sch` words read `ch`/`g`/`th` the Germanic way. */
  readonly germanic: boolean;
  position = 0;
  primary = '';
  secondary = '';

  constructor(word: string) {
    this.length = word.length;
    this.last = word.length - 1;
    this.text = word + '     ';
    this.slavoGermanic = /W|K|CZ|WITZ/.test(word);
    this.germanic = this.startsWith('VAN ', 'VON ', 'SCH');
  }

  /** The letter at an absolute index ('' outside the word). */
  charAt(index: number): string {
    return index < 0 ? '' : this.text.charAt(index);
  }

  /** Does one of the options occur at the absolute index? Out-of-range starts never match. */
  has(index: number, ...options: string[]): boolean {
    if (index < 0) return false;
    return options.some((option) => this.text.startsWith(option, index));
  }

  startsWith(...options: string[]): boolean {
    return this.has(0, ...options);
  }

  isVowel(index: number): boolean {
    return index >= 0 && 'AEIOUY'.includes(this.charAt(index)) && this.charAt(index) !== '';
  }

  add(primary: string, secondary: string = primary): void {
    this.primary += primary;
    this.secondary += secondary;
  }

  /** Emit a code and advance past `width` letters. */
  emit(primary: string, secondary: string, width: number): void {
    this.add(primary, secondary);
    this.position += width;
  }
}
