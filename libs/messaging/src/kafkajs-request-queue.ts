/**
 * kafkajs 2.2.4 keeps every broker connection busy while idle (tulios/kafkajs#1556, #1704): after each
 * check of its request queue it schedules the next one with `throttledUntil - now` as the delay, which
 * is negative when nothing is throttled, so an idle connection runs a timer about every millisecond,
 * forever. A service has a dozen connections (producer, admin, consumers and their coordinators).
 *
 * The check is only needed while requests wait (in flight limit) or the broker throttles us; both
 * cases still schedule it. Applied once, when this module is first loaded.
 */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

const PATCHED = Symbol.for('compliance.kafkajs.idleRequestQueue');

function patchRequestQueue(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueLike & { [PATCHED]?: true } };
  const proto = RequestQueue.prototype;
  if (proto[PATCHED] || typeof proto.scheduleCheckPendingRequests !== 'function') return false;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  proto[PATCHED] = true;
  return true;
}

patchRequestQueue();
