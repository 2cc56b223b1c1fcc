/**
 * A growable Int32Array: 4 bytes per value and nothing for the garbage collector to trace, where
 * a JS array of numbers costs 8 bytes per value and grows in many small steps.
 */
export class Int32Buffer {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index];
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** The values so far, without copying; valid until the next push. */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  /** A right-sized copy; the buffer can be dropped afterwards. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Compressed rows (CSR): for row r, `values[offsets[r] .. offsets[r + 1])`. Built from (row, value)
 * pairs by counting, so a million postings lists cost two typed arrays instead of a million JS arrays.
 */
export interface Postings {
  offsets: Int32Array;
  values: Int32Array;
}

export function postingsFromPairs(rows: Int32Buffer, values: Int32Buffer, rowCount: number): Postings {
  const offsets = new Int32Array(rowCount + 1);
  for (let i = 0; i < rows.length; i++) offsets[rows.at(i) + 1]++;
  for (let r = 0; r < rowCount; r++) offsets[r + 1] += offsets[r];
  const fill = offsets.slice(0, rowCount);
  const out = new Int32Array(rows.length);
  // Pairs were added in increasing value order per row, so each row's values stay sorted.
  for (let i = 0; i < rows.length; i++) out[fill[rows.at(i)]++] = values.at(i);
  return { offsets, values: out };
}
