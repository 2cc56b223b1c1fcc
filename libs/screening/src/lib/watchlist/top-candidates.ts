/**
 * Keeps the best `limit` ids by score while scanning many: a bounded min-heap, so ranking
 * thousands of blocked candidates costs O(n log limit) instead of a full sort per query.
 */
export function topCandidates(
  ids: ArrayLike<number>,
  scores: Float32Array | Float64Array,
  limit: number,
  accept: (id: number) => boolean,
): number[] {
  const heap: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (heap.length === limit && scores[heap[0]] >= scores[id]) continue;
    if (!accept(id)) continue;
    if (heap.length < limit) {
      heap.push(id);
      siftUp(heap, scores, heap.length - 1);
    } else {
      heap[0] = id;
      siftDown(heap, scores, 0);
    }
  }
  return heap.sort((a, b) => scores[b] - scores[a] || a - b);
}

function siftUp(heap: number[], scores: Float32Array | Float64Array, index: number): void {
  let child = index;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (scores[heap[child]] >= scores[heap[parent]]) return;
    const swap = heap[child];
    heap[child] = heap[parent];
    heap[parent] = swap;
    child = parent;
  }
}

function siftDown(heap: number[], scores: Float32Array | Float64Array, index: number): void {
  let parent = index;
  for (;;) {
    const left = parent * 2 + 1;
    const right = left + 1;
    let weakest = parent;
    if (left < heap.length && scores[heap[left]] < scores[heap[weakest]]) weakest = left;
    if (right < heap.length && scores[heap[right]] < scores[heap[weakest]]) weakest = right;
    if (weakest === parent) return;
    const swap = heap[parent];
    heap[parent] = heap[weakest];
    heap[weakest] = swap;
    parent = weakest;
  }
}
