/**
 * Keeps the best `limit` ids by score while scanning many: a bounded min-heap, so ranking
 * thousands of blocked candidates costs O(n log limit) instead of a full sort per query.
 */
export function topCandidates(
  ids: readonly number[],
  scores: Float64Array,
  limit: number,
  accept: (id: number) => boolean,
): number[] {
  const heap: number[] = [];
  const weaker = (a: number, b: number): boolean => scores[a] < scores[b];
  for (const id of ids) {
    if (heap.length === limit && !weaker(heap[0], id)) continue;
    if (!accept(id)) continue;
    if (heap.length < limit) {
      heap.push(id);
      siftUp(heap, heap.length - 1, weaker);
    } else {
      heap[0] = id;
      siftDown(heap, 0, weaker);
    }
  }
  return heap.sort((a, b) => scores[b] - scores[a]);
}

function siftUp(heap: number[], index: number, weaker: (a: number, b: number) => boolean): void {
  let child = index;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (!weaker(heap[child], heap[parent])) return;
    [heap[child], heap[parent]] = [heap[parent], heap[child]];
    child = parent;
  }
}

function siftDown(heap: number[], index: number, weaker: (a: number, b: number) => boolean): void {
  let parent = index;
  for (;;) {
    const left = parent * 2 + 1;
    const right = left + 1;
    let weakest = parent;
    if (left < heap.length && weaker(heap[left], heap[weakest])) weakest = left;
    if (right < heap.length && weaker(heap[right], heap[weakest])) weakest = right;
    if (weakest === parent) return;
    [heap[parent], heap[weakest]] = [heap[weakest], heap[parent]];
    parent = weakest;
  }
}
