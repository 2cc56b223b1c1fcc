import type { EntityManager } from 'typeorm';

export interface ActiveHold {
  id: string;
  reason: string;
  until: Date | null;
  placed_at: Date;
}

/** A hold is in force from its placement until it is lifted or its `until` has passed. */
export const ACTIVE_HOLD_SQL = `h.lifted_at IS NULL AND (h.until IS NULL OR h.until > $AT)`;

export function activeHoldCondition(atParam: string): string {
  return ACTIVE_HOLD_SQL.replace('$AT', atParam);
}

export async function activeHoldsOf(m: EntityManager, subjectRef: string, at: Date): Promise<ActiveHold[]> {
  return m.query(
    `SELECT h.id, h.reason, h.until, h.placed_at FROM legal_holds h WHERE h.subject_ref = $1 AND ${activeHoldCondition('$2')} ORDER BY h.until DESC NULLS FIRST, h.placed_at, h.id`,
    [subjectRef, at],
  );
}

/** The hold in force that blocks longest (no end first, then the latest end): the one to name and to lift. */
export async function activeHoldFor(m: EntityManager, subjectRef: string, at: Date): Promise<ActiveHold | undefined> {
  return (await activeHoldsOf(m, subjectRef, at))[0];
}
