/**
 * Draws from a ranked pool with Zipf–Mandelbrot frequencies: the item of rank r (from 0) has
 * weight 1 / (r + 1 + shift)^exponent. Real name frequencies follow such a law closely: a few
 * names are carried by several percent of people, then a long tail of rare ones. `shift` flattens
 * the head (a larger shift gives the most common name a smaller share), `exponent` sets how fast
 * the tail thins out.
 */
import type { SeededRandom } from './seeded-random';

export interface ZipfShape {
  exponent: number;
  shift: number;
}

export class RankedPool<T> {
  private readonly cumulative: Float64Array;

  constructor(readonly items: readonly T[], shape: ZipfShape) {
    if (items.length === 0) throw new RangeError('a ranked pool needs at least one item');
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    for (let r = 0; r < items.length; r++) {
      sum += 1 / Math.pow(r + 1 + shape.shift, shape.exponent);
      this.cumulative[r] = sum;
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Share of draws that give the item of rank `rank`. */
  share(rank: number): number {
    const total = this.cumulative[this.cumulative.length - 1];
    return (this.cumulative[rank] - (rank > 0 ? this.cumulative[rank - 1] : 0)) / total;
  }

  pick(random: SeededRandom): T {
    const target = random.next() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    return this.items[low];
  }
}

/**
 * `size` distinct strings from `invent`, in the order first invented: the ranked lexicon of one
 * name tradition (which invented surname is "the common one" is itself a seeded draw).
 */
export function inventLexicon(size: number, random: SeededRandom, invent: (random: SeededRandom) => string): string[] {
  const seen = new Set<string>();
  for (let attempts = 0; seen.size < size && attempts < size * 20; attempts++) seen.add(invent(random));
  return [...seen];
}
