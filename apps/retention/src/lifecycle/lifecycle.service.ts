import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RetentionTracking, subjectUnit, type LifecycleFact } from './retention-tracking';
import { deleteClocks, deleteTrackedSessions, loadScope, saveTracking, sessionsOfSubject } from './tracking.repository';

export { subjectUnit, TERMINAL_STATUSES, type LifecycleFact } from './retention-tracking';

/**
 * Learns, from kyc and aml events, which data exists for each subject and session and when its
 * retention clock started. Out-of-order events never move a session backwards (event time wins).
 */
@Injectable()
export class LifecycleService {
  /**
   * What each open transaction has read and written: a later batch of the same transaction (the
   * consumer hands each event type over separately) reads only what it has not seen yet.
   */
  private readonly tracking = new WeakMap<EntityManager, RetentionTracking>();

  /**
   * Applies facts in the order given, with at most two statements: the rows not read yet in this
   * transaction are read (and locked) at once, the changes written at once.
   */
  async apply(m: EntityManager, facts: LifecycleFact[]): Promise<void> {
    const tracking = this.trackingOf(m);
    const missing = tracking.missing(facts);
    if (missing.units.length > 0) {
      const rows = await loadScope(m, missing);
      tracking.load(missing, rows.sessions, rows.clocks);
    }
    for (const fact of facts) tracking.apply(fact);
    await saveTracking(m, tracking.takeChanges());
  }

  /** Outside a transaction nothing stays locked, so nothing read can be kept. */
  private trackingOf(m: EntityManager): RetentionTracking {
    if (!m.queryRunner?.isTransactionActive) return new RetentionTracking();
    let tracking = this.tracking.get(m);
    if (!tracking) this.tracking.set(m, (tracking = new RetentionTracking()));
    return tracking;
  }

  /** Session ids known for a subject, for erasure commands and provider deletion. */
  sessionsOf(m: EntityManager, subjectRef: string): Promise<string[]> {
    return sessionsOfSubject(m, subjectRef);
  }

  /** After an erasure, nothing is left to purge for those sessions: retention keeps no trace of them but the request. */
  async forgetErased(m: EntityManager, subjectRef: string, sessionIds: string[]): Promise<void> {
    await deleteClocks(m, [...sessionIds, subjectUnit(subjectRef)]);
    await deleteTrackedSessions(m, sessionIds);
    this.tracking.delete(m);
  }
}
